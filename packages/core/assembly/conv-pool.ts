// A convolution layer followed by a 2x2 max pool (stride 2) in one pass, and the scatter its
// gradient needs. The forward tile of conv.ts takes 4 arbitrary window origins, so here its 4
// pixels are one pooling window: the tile is computed (bias and activation applied, as conv2dChunk
// stores it), pooled in registers (forwardTilePooled) and only the pooled pixel is written, with
// the flat index of each channel's maximal cell in the full-resolution output, which the gradient
// scatters to. The full-resolution activation is never written. The max follows assembly/pool.ts
// to the bit: cells in window order, a later cell wins when strictly greater, or when it is NaN and
// the best is not.
// The geometry comes in conv.ts' parameter block plus one word (CONV_POOL_INDICES).

import {
  CONV_ACTIVATION, CONV_BATCH, CONV_BIAS, CONV_DILATION_HEIGHT, CONV_DILATION_WIDTH, CONV_FILTER, CONV_FILTER_HEIGHT,
  CONV_FILTER_WIDTH, CONV_IN_CHANNELS, CONV_OUT, CONV_OUT_CHANNELS, CONV_OUT_HEIGHT, CONV_OUT_WIDTH, CONV_ROWS_PER_CHUNK,
  CONV_SOURCE, CONV_SOURCE_HEIGHT, CONV_SOURCE_WIDTH, CONV_STRIDE_HEIGHT, CONV_STRIDE_WIDTH, TABLE_OFFSET,
  copyNarrowPanelBias, panelBiasOf, runLength, writeRunTable,
} from './conv';
import { multiplyAdd } from './multiply-add';
import { PANEL_COLS } from './pack';
import { word } from './parameter-block';
import { activateVector } from './simd-math';

/** Where the int32 indices of the maximal cells go ([N, outH / 2, outW / 2, outChannels], like the pooled output). */
const CONV_POOL_INDICES = 19;

/**
 * Pools 4 channels of one pooling window held in registers (cell0..cell3 in window order) into
 * `pooled` and their maximal cells' flat indices into `indices` (`lanes` of the 4, a vector store
 * when all 4), by pool.ts' rule: a later cell wins when strictly greater, or when it is NaN and the
 * best is not. Without a NaN among the cells only "strictly greater" is left, so the winner is the
 * last cell that won: the largest of the winners' cell offsets (offsets grow with the cell: 0,
 * offset1, offset2, offset3), added to the first cell's indices. Same values, same indices.
 */
// @ts-ignore: decorator
@inline function poolRegisters(
  cell0: v128, cell1: v128, cell2: v128, cell3: v128, firstIndices: v128, offset1: v128, offset2: v128, offset3: v128,
  pooled: usize, indices: usize, lanes: i32,
): void {
  let best: v128;
  let bestIndex: v128;
  // A NaN among the cells makes their sum NaN (so does Inf - Inf: those windows take the full rule too).
  const sum = f32x4.add(f32x4.add(cell0, cell1), f32x4.add(cell2, cell3));
  if (!v128.any_true(f32x4.ne(sum, sum))) {
    // pmax(best, cell) is cell where best < cell, else best: "strictly greater wins" in one instruction.
    const take1 = f32x4.gt(cell1, cell0);
    best = f32x4.pmax(cell0, cell1);
    const take2 = f32x4.gt(cell2, best);
    best = f32x4.pmax(best, cell2);
    const take3 = f32x4.gt(cell3, best);
    best = f32x4.pmax(best, cell3);
    const winner = i32x4.max_s(i32x4.max_s(v128.and(take1, offset1), v128.and(take2, offset2)), v128.and(take3, offset3));
    bestIndex = i32x4.add(winner, firstIndices);
  } else {
    // Strictly greater, or a NaN where the best so far is not NaN (pool.ts' rule).
    best = cell0;
    bestIndex = firstIndices;
    let take = v128.or(f32x4.gt(cell1, best), v128.and(f32x4.ne(cell1, cell1), f32x4.eq(best, best)));
    best = v128.bitselect(cell1, best, take);
    bestIndex = v128.bitselect(i32x4.add(firstIndices, offset1), bestIndex, take);
    take = v128.or(f32x4.gt(cell2, best), v128.and(f32x4.ne(cell2, cell2), f32x4.eq(best, best)));
    best = v128.bitselect(cell2, best, take);
    bestIndex = v128.bitselect(i32x4.add(firstIndices, offset2), bestIndex, take);
    take = v128.or(f32x4.gt(cell3, best), v128.and(f32x4.ne(cell3, cell3), f32x4.eq(best, best)));
    best = v128.bitselect(cell3, best, take);
    bestIndex = v128.bitselect(i32x4.add(firstIndices, offset3), bestIndex, take);
  }
  if (lanes == 4) {
    v128.store(pooled, best);
    v128.store(indices, bestIndex);
    return;
  }
  if (lanes > 0) { store<f32>(pooled, f32x4.extract_lane(best, 0)); store<i32>(indices, i32x4.extract_lane(bestIndex, 0)); }
  if (lanes > 1) { store<f32>(pooled, f32x4.extract_lane(best, 1), 4); store<i32>(indices, i32x4.extract_lane(bestIndex, 1), 4); }
  if (lanes > 2) { store<f32>(pooled, f32x4.extract_lane(best, 2), 8); store<i32>(indices, i32x4.extract_lane(bestIndex, 2), 8); }
}

/**
 * conv.ts' forwardTile over one pooling window (w0..w3: its cells in row-major order) and one
 * 8-column panel, pooled in registers: the same sums in the same order, the same bias and
 * activation, then poolRegisters on each half of the panel (`validColumns` of its 8 stored), the
 * cells' flat indices being first, first + offset1, first + offset2 and first + offset3.
 */
function forwardTilePooled(
  w0: usize, w1: usize, w2: usize, w3: usize, panel: usize, runTable: usize, runCount: i32, runBytes: usize,
  bias: usize, activation: i32, pooled: usize, indices: usize, first: i32, offset1: v128, offset2: v128, offset3: v128,
  validColumns: i32,
): void {
  let c00 = f32x4.splat(0), c01 = f32x4.splat(0);
  let c10 = f32x4.splat(0), c11 = f32x4.splat(0);
  let c20 = f32x4.splat(0), c21 = f32x4.splat(0);
  let c30 = f32x4.splat(0), c31 = f32x4.splat(0);
  let w = panel;
  for (let run = 0; run < runCount; run++) {
    const offset = <usize>load<i32>(runTable + (<usize>run << 2));
    let a0 = w0 + offset, a1 = w1 + offset, a2 = w2 + offset, a3 = w3 + offset;
    const end = a0 + runBytes;
    while (a0 < end) {
      const b0 = v128.load(w);
      const b1 = v128.load(w, 16);
      let a = v128.load32_splat(a0);
      c00 = multiplyAdd(a, b0, c00);
      c01 = multiplyAdd(a, b1, c01);
      a = v128.load32_splat(a1);
      c10 = multiplyAdd(a, b0, c10);
      c11 = multiplyAdd(a, b1, c11);
      a = v128.load32_splat(a2);
      c20 = multiplyAdd(a, b0, c20);
      c21 = multiplyAdd(a, b1, c21);
      a = v128.load32_splat(a3);
      c30 = multiplyAdd(a, b0, c30);
      c31 = multiplyAdd(a, b1, c31);
      a0 += 4; a1 += 4; a2 += 4; a3 += 4;
      w += 32;
    }
  }
  if (bias != 0) {
    const b0 = v128.load(bias);
    const b1 = v128.load(bias, 16);
    c00 = f32x4.add(c00, b0); c01 = f32x4.add(c01, b1);
    c10 = f32x4.add(c10, b0); c11 = f32x4.add(c11, b1);
    c20 = f32x4.add(c20, b0); c21 = f32x4.add(c21, b1);
    c30 = f32x4.add(c30, b0); c31 = f32x4.add(c31, b1);
  }
  if (activation == 1) {
    // relu as pmax(x, 0): x < 0 ? +0 : x, the reference's relu (-0 and NaN kept) in one instruction.
    const zero = f32x4.splat(0);
    c00 = f32x4.pmax(c00, zero); c01 = f32x4.pmax(c01, zero);
    c10 = f32x4.pmax(c10, zero); c11 = f32x4.pmax(c11, zero);
    c20 = f32x4.pmax(c20, zero); c21 = f32x4.pmax(c21, zero);
    c30 = f32x4.pmax(c30, zero); c31 = f32x4.pmax(c31, zero);
  } else if (activation != 0) {
    c00 = activateVector(c00, activation); c01 = activateVector(c01, activation);
    c10 = activateVector(c10, activation); c11 = activateVector(c11, activation);
    c20 = activateVector(c20, activation); c21 = activateVector(c21, activation);
    c30 = activateVector(c30, activation); c31 = activateVector(c31, activation);
  }
  const firstIndices = i32x4.add(i32x4.splat(first), i32x4(0, 1, 2, 3));
  poolRegisters(c00, c10, c20, c30, firstIndices, offset1, offset2, offset3, pooled, indices, min(4, validColumns));
  if (validColumns > 4) {
    poolRegisters(c01, c11, c21, c31, i32x4.add(firstIndices, i32x4.splat(4)), offset1, offset2, offset3, pooled + 16, indices + 16,
      validColumns - 4);
  }
}

/**
 * Pooled rows (image, pooledY) [chunk * rowsPerChunk, ...) of activation(conv2d + bias) followed by
 * a 2x2 max pool of stride 2 (a last odd output row or column is dropped, as the pool drops it). The
 * source is padded as conv2dChunk's; CONV_OUT receives the pooled [N, outH / 2, outW / 2, outChannels]
 * and CONV_POOL_INDICES, for each pooled value, the flat index of its cell in the [N, outH, outW,
 * outChannels] convolution output.
 */
export function conv2dMaxPoolChunk(chunk: i32, scratch: usize, params: usize): void {
  const source = <usize>word(params, CONV_SOURCE);
  const filter = <usize>word(params, CONV_FILTER);
  const pooled = <usize>word(params, CONV_OUT);
  const batch = word(params, CONV_BATCH);
  const sourceHeight = word(params, CONV_SOURCE_HEIGHT);
  const sourceWidth = word(params, CONV_SOURCE_WIDTH);
  const channels = word(params, CONV_IN_CHANNELS);
  const outHeight = word(params, CONV_OUT_HEIGHT);
  const outWidth = word(params, CONV_OUT_WIDTH);
  const outChannels = word(params, CONV_OUT_CHANNELS);
  const filterHeight = word(params, CONV_FILTER_HEIGHT);
  const filterWidth = word(params, CONV_FILTER_WIDTH);
  const strideHeight = word(params, CONV_STRIDE_HEIGHT);
  const strideWidth = word(params, CONV_STRIDE_WIDTH);
  const dilationHeight = word(params, CONV_DILATION_HEIGHT);
  const dilationWidth = word(params, CONV_DILATION_WIDTH);
  const rowsPerChunk = word(params, CONV_ROWS_PER_CHUNK);
  const bias = <usize>word(params, CONV_BIAS);
  const activation = word(params, CONV_ACTIVATION);
  const indices = <usize>word(params, CONV_POOL_INDICES);

  const sourceRowBytes = <usize>(sourceWidth * channels) << 2;
  const pixelStep = <usize>(strideWidth * channels) << 2;
  const runTable = scratch + TABLE_OFFSET;
  const runCount = writeRunTable(runTable, filterHeight, filterWidth, channels, dilationHeight, dilationWidth, sourceRowBytes);
  const runBytes = runLength(filterWidth, channels, dilationWidth);
  const patchBytes = <usize>(filterHeight * filterWidth * channels) << 5;
  const panels = (outChannels + PANEL_COLS - 1) / PANEL_COLS;
  copyNarrowPanelBias(scratch, bias, outChannels);
  const pooledHeight = outHeight >> 1;
  const pooledWidth = outWidth >> 1;
  const pooledPixelBytes = <usize>outChannels << 2;
  const rowBegin = chunk * rowsPerChunk;
  const rowEnd = min(batch * pooledHeight, rowBegin + rowsPerChunk);
  // The window's cells' flat offsets from its first, for the pool's indices (growing: outWidth >= 2).
  const rowStep = outWidth * outChannels;
  const offset1 = i32x4.splat(outChannels);
  const offset2 = i32x4.splat(rowStep);
  const offset3 = i32x4.splat(rowStep + outChannels);
  for (let pooledRow = rowBegin; pooledRow < rowEnd; pooledRow++) {
    const image = pooledRow / pooledHeight;
    const outY = (pooledRow - image * pooledHeight) << 1;
    const windowRow0 = source + <usize>(image * sourceHeight + outY * strideHeight) * sourceRowBytes;
    const windowRow1 = windowRow0 + <usize>strideHeight * sourceRowBytes;
    // Flat index of the window's first cell, channel 0, in the convolution output.
    let cell0 = ((image * outHeight + outY) * outWidth) * outChannels;
    let target = <usize>(pooledRow * pooledWidth) * pooledPixelBytes;
    for (let pooledX = 0; pooledX < pooledWidth; pooledX++) {
      const w0 = windowRow0 + <usize>(pooledX << 1) * pixelStep;
      const w2 = windowRow1 + <usize>(pooledX << 1) * pixelStep;
      for (let panelIndex = 0; panelIndex < panels; panelIndex++) {
        const column0 = panelIndex * PANEL_COLS;
        const validColumns = min(PANEL_COLS, outChannels - column0);
        const at = target + (<usize>column0 << 2);
        forwardTilePooled(w0, w0 + pixelStep, w2, w2 + pixelStep, filter + <usize>panelIndex * patchBytes, runTable, runCount, runBytes,
          panelBiasOf(scratch, bias, column0, validColumns), activation, pooled + at, indices + at, cell0 + column0,
          offset1, offset2, offset3, validColumns);
      }
      cell0 += outChannels << 1;
      target += pooledPixelBytes;
    }
  }
}

/**
 * The gradient of a max pool whose windows never overlap, for images [chunk * imagesPerChunk, ...):
 * dx of those images is zeroed, then each dy value is stored (not added: no two share a cell) at
 * its flat index in dx; an index outside its own image is skipped, so no input can write out of
 * bounds. dy and indices hold pooledPerImage values per image, dx cellsPerImage.
 */
export function maxPoolScatterChunk(
  chunk: i32, scratch: usize, dy: usize, indices: usize, dx: usize, batch: i32, pooledPerImage: i32, cellsPerImage: i32,
  imagesPerChunk: i32,
): void {
  const imageBegin = chunk * imagesPerChunk;
  const imageEnd = min(batch, imageBegin + imagesPerChunk);
  if (imageEnd <= imageBegin) return;
  memory.fill(dx + (<usize>(imageBegin * cellsPerImage) << 2), 0, <usize>((imageEnd - imageBegin) * cellsPerImage) << 2);
  for (let image = imageBegin; image < imageEnd; image++) {
    const first = image * cellsPerImage;
    const end = first + cellsPerImage;
    const valueEnd = <usize>((image + 1) * pooledPerImage) << 2;
    for (let at = <usize>(image * pooledPerImage) << 2; at < valueEnd; at += 4) {
      const index = load<i32>(indices + at);
      if (index >= first && index < end) store<f32>(dx + (<usize>index << 2), load<f32>(dy + at));
    }
  }
}

/**
 * A 2x2 max pool of stride 2 with the flat index of each value's cell, over an NHWC x that is
 * already computed ([N, height, width, channels]; an odd last row or column is dropped), for pooled
 * rows [chunk * rowsPerChunk, ...): what conv2dMaxPoolChunk does to its tiles, for convolutions that
 * another kernel computes. Same rule and the same bits as conv2dMaxPoolChunk's pool.
 */
export function maxPoolIndicesChunk(
  chunk: i32, scratch: usize, x: usize, pooled: usize, indices: usize, batch: i32, height: i32, width: i32, channels: i32,
  rowsPerChunk: i32,
): void {
  const pooledHeight = height >> 1;
  const pooledWidth = width >> 1;
  const rowStep = width * channels;
  const vectorChannels = channels & ~3;
  const laneIndex = i32x4(0, 1, 2, 3);
  const offset1 = i32x4.splat(channels);
  const offset2 = i32x4.splat(rowStep);
  const offset3 = i32x4.splat(rowStep + channels);
  const rowBegin = chunk * rowsPerChunk;
  const rowEnd = min(batch * pooledHeight, rowBegin + rowsPerChunk);
  for (let pooledRow = rowBegin; pooledRow < rowEnd; pooledRow++) {
    const image = pooledRow / pooledHeight;
    const y = (pooledRow - image * pooledHeight) << 1;
    let cell0 = (image * height + y) * rowStep;
    let target = <usize>(pooledRow * pooledWidth * channels) << 2;
    for (let pooledX = 0; pooledX < pooledWidth; pooledX++) {
      for (let c = 0; c < vectorChannels; c += 4) {
        const first = cell0 + c;
        const at = target + (<usize>c << 2);
        poolRegisters(v128.load(x + (<usize>first << 2)), v128.load(x + (<usize>(first + channels) << 2)),
          v128.load(x + (<usize>(first + rowStep) << 2)), v128.load(x + (<usize>(first + rowStep + channels) << 2)),
          i32x4.add(i32x4.splat(first), laneIndex), offset1, offset2, offset3, pooled + at, indices + at, 4);
      }
      for (let c = vectorChannels; c < channels; c++) {
        let bestIndex = cell0 + c;
        let best = load<f32>(x + (<usize>bestIndex << 2));
        for (let k = 1; k < 4; k++) {
          const index = cell0 + c + (k >> 1) * rowStep + (k & 1) * channels;
          const value = load<f32>(x + (<usize>index << 2));
          if (value > best || (value != value && best == best)) {
            best = value;
            bestIndex = index;
          }
        }
        store<f32>(pooled + target + (<usize>c << 2), best);
        store<i32>(indices + target + (<usize>c << 2), bestIndex);
      }
      cell0 += channels << 1;
      target += <usize>channels << 2;
    }
  }
}
