// Direct NHWC convolution as an implicit matrix product: no im2col buffer. The forward tile is 4
// neighbouring output pixels x 8 output channels (8 f32x4 accumulators, as in matmul's
// micro-kernel): it streams one packed filter panel while splatting the 4 pixels' input values
// straight from the (padded) image. The filter gradient's tile is 4 patch entries x 8 output
// channels, accumulated over every output pixel of a block while it stays in registers. Their
// multiply-adds are fused in the relaxed-SIMD build (see multiply-add.ts).
// Both read their geometry from a parameter block of i32 words (see CONV_* below), shared with
// src/backends/cpu/wasm/wasm-conv.ts.

import { multiplyAdd } from './multiply-add';
import { PANEL_COLS } from './pack';
import { word } from './parameter-block';
import { activateVector } from './simd-math';

// Words of the parameter block.
export const CONV_SOURCE = 0;
export const CONV_FILTER = 1;
export const CONV_OUT = 2;
export const CONV_BATCH = 3;
export const CONV_SOURCE_HEIGHT = 4;
export const CONV_SOURCE_WIDTH = 5;
export const CONV_IN_CHANNELS = 6;
export const CONV_OUT_HEIGHT = 7;
export const CONV_OUT_WIDTH = 8;
export const CONV_OUT_CHANNELS = 9;
export const CONV_FILTER_HEIGHT = 10;
export const CONV_FILTER_WIDTH = 11;
export const CONV_STRIDE_HEIGHT = 12;
export const CONV_STRIDE_WIDTH = 13;
export const CONV_DILATION_HEIGHT = 14;
export const CONV_DILATION_WIDTH = 15;
export const CONV_ROWS_PER_CHUNK = 16;
/** Forward only: a bias of outChannels floats added to every pixel (0: none). */
export const CONV_BIAS = 17;
/** Forward only: the activation applied after the bias (simd-math.ts codes: 0 linear, 1 relu, ...). */
export const CONV_ACTIVATION = 18;

/** Output pixels per forward tile. */
const TILE_PIXELS: i32 = 4;
/** Output pixels the filter gradient accumulates per block before moving to the next tile. */
const GRADIENT_BLOCK_PIXELS: i32 = 256;
/** Scratch layout: the tile for ragged edges first, a narrow last panel's 8 bias values, then the offset table. */
export const TILE_BYTES: usize = <usize>(TILE_PIXELS * PANEL_COLS * 4);
export const BIAS_OFFSET: usize = TILE_BYTES;
export const TABLE_OFFSET: usize = BIAS_OFFSET + <usize>(PANEL_COLS * 4);

/**
 * The forward tile: out[pixel p][0..8) = Σ over the patch of window_p[entry] * panel[entry][0..8),
 * where the patch is `runCount` runs of `runBytes` contiguous input bytes at the byte offsets in
 * `runTable`, relative to each pixel's window origin w0..w3. Stores pixel p at dst + p * dstStride,
 * after adding the 8 floats at `bias` (when not 0) and applying `activation` (when not 0): the same
 * float32 add and activation as the separate ops, so a fused layer gives the same bits.
 */
export function forwardTile(
  w0: usize, w1: usize, w2: usize, w3: usize, panel: usize, runTable: usize, runCount: i32, runBytes: usize,
  dst: usize, dstStride: usize, bias: usize, activation: i32,
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
  if (activation != 0) {
    c00 = activateVector(c00, activation); c01 = activateVector(c01, activation);
    c10 = activateVector(c10, activation); c11 = activateVector(c11, activation);
    c20 = activateVector(c20, activation); c21 = activateVector(c21, activation);
    c30 = activateVector(c30, activation); c31 = activateVector(c31, activation);
  }
  v128.store(dst, c00);
  v128.store(dst, c01, 16);
  v128.store(dst + dstStride, c10);
  v128.store(dst + dstStride, c11, 16);
  v128.store(dst + 2 * dstStride, c20);
  v128.store(dst + 2 * dstStride, c21, 16);
  v128.store(dst + 3 * dstStride, c30);
  v128.store(dst + 3 * dstStride, c31, 16);
}

/**
 * Writes the byte offsets, from a window's origin, of the runs of contiguous input that make a
 * forward patch, in (fy, fx, channel) order, and returns how many: with dilation 1 along x each
 * filter row is one run of filterWidth * channels floats, else each tap is a run of channels.
 */
export function writeRunTable(
  table: usize, filterHeight: i32, filterWidth: i32, channels: i32, dilationHeight: i32, dilationWidth: i32, sourceRowBytes: usize,
): i32 {
  if (dilationWidth == 1) {
    for (let fy = 0; fy < filterHeight; fy++) store<i32>(table + (<usize>fy << 2), <i32>(<usize>(fy * dilationHeight) * sourceRowBytes));
    return filterHeight;
  }
  for (let fy = 0; fy < filterHeight; fy++) {
    for (let fx = 0; fx < filterWidth; fx++) {
      const offset = <usize>(fy * dilationHeight) * sourceRowBytes + (<usize>(fx * dilationWidth * channels) << 2);
      store<i32>(table + (<usize>(fy * filterWidth + fx) << 2), <i32>offset);
    }
  }
  return filterHeight * filterWidth;
}

/** Bytes of one run of writeRunTable's table. */
export function runLength(filterWidth: i32, channels: i32, dilationWidth: i32): usize {
  return dilationWidth == 1 ? <usize>(filterWidth * channels) << 2 : <usize>channels << 2;
}

/**
 * A last panel narrower than 8 columns takes its bias from a zero-padded copy in the scratch, so
 * that it never reads past the bias; full panels read theirs in place (see panelBiasOf).
 */
export function copyNarrowPanelBias(scratch: usize, bias: usize, outChannels: i32): void {
  const panels = (outChannels + PANEL_COLS - 1) / PANEL_COLS;
  const lastColumns = outChannels - (panels - 1) * PANEL_COLS;
  if (bias == 0 || lastColumns == PANEL_COLS) return;
  for (let column = 0; column < PANEL_COLS; column++) {
    const value: f32 = column < lastColumns ? load<f32>(bias + (<usize>((panels - 1) * PANEL_COLS + column) << 2)) : 0;
    store<f32>(scratch + BIAS_OFFSET + (<usize>column << 2), value);
  }
}

/** The 8 bias values of the panel at column0 (0: no bias). */
// @ts-ignore: decorator
@inline export function panelBiasOf(scratch: usize, bias: usize, column0: i32, validColumns: i32): usize {
  return bias == 0 ? 0 : validColumns == PANEL_COLS ? bias + (<usize>column0 << 2) : scratch + BIAS_OFFSET;
}

/**
 * Output rows (image, outY) [chunk * rowsPerChunk, ...) of a convolution with no padding: the
 * source is already padded so every window lies inside it. Tiles take 4 consecutive output pixels
 * of the chunk, wrapping from one row into the next. The filter comes packed in 8-column
 * panels (packConvFilterChunk); out is [N, outH, outW, outChannels], with the bias added and the
 * activation applied as each tile is stored (see CONV_BIAS, CONV_ACTIVATION).
 */
export function conv2dChunk(chunk: i32, scratch: usize, params: usize): void {
  const source = <usize>word(params, CONV_SOURCE);
  const filter = <usize>word(params, CONV_FILTER);
  const out = <usize>word(params, CONV_OUT);
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

  const sourceRowBytes = <usize>(sourceWidth * channels) << 2;
  const pixelStep = <usize>(strideWidth * channels) << 2;
  const runTable = scratch + TABLE_OFFSET;
  const runCount = writeRunTable(runTable, filterHeight, filterWidth, channels, dilationHeight, dilationWidth, sourceRowBytes);
  const runBytes = runLength(filterWidth, channels, dilationWidth);
  const patchBytes = <usize>(filterHeight * filterWidth * channels) << 5;
  const panels = (outChannels + PANEL_COLS - 1) / PANEL_COLS;
  const outPixelBytes = <usize>outChannels << 2;
  const tile = scratch;
  const rowBegin = chunk * rowsPerChunk;
  const rowEnd = min(batch * outHeight, rowBegin + rowsPerChunk);
  // The chunk's output pixels are contiguous in NHWC, so tiles run over them flat, across the ends
  // of rows: a row whose width is not a multiple of 4 no longer ends in a partly wasted tile.
  const pixelEnd = rowEnd * outWidth;
  copyNarrowPanelBias(scratch, bias, outChannels);
  // The cursor: the next pixel's column and its row's window origin.
  let row = rowBegin;
  let outX = 0;
  let windowRow = windowRowStart(source, row, outHeight, sourceHeight, strideHeight, sourceRowBytes);
  for (let pixel = rowBegin * outWidth; pixel < pixelEnd; pixel += TILE_PIXELS) {
    const validPixels = min(TILE_PIXELS, pixelEnd - pixel);
    // Pixels past the chunk's end repeat the first one (valid reads); their results are dropped.
    const w0 = windowRow + <usize>outX * pixelStep;
    let w1 = w0, w2 = w0, w3 = w0;
    for (let p = 0; p < validPixels; p++) {
      const window = windowRow + <usize>outX * pixelStep;
      if (p == 1) w1 = window;
      else if (p == 2) w2 = window;
      else if (p == 3) w3 = window;
      if (++outX == outWidth) {
        outX = 0;
        row++;
        windowRow = windowRowStart(source, row, outHeight, sourceHeight, strideHeight, sourceRowBytes);
      }
    }
    const pixelDst = out + <usize>pixel * outPixelBytes;
    // Panels inside: the 4 windows stay in cache while every panel streams over them.
    for (let panelIndex = 0; panelIndex < panels; panelIndex++) {
      const panel = filter + <usize>panelIndex * patchBytes;
      const column0 = panelIndex * PANEL_COLS;
      const validColumns = min(PANEL_COLS, outChannels - column0);
      const panelBias = panelBiasOf(scratch, bias, column0, validColumns);
      const dst = pixelDst + (<usize>column0 << 2);
      if (validPixels == TILE_PIXELS && validColumns == PANEL_COLS) {
        forwardTile(w0, w1, w2, w3, panel, runTable, runCount, runBytes, dst, outPixelBytes, panelBias, activation);
        continue;
      }
      forwardTile(w0, w1, w2, w3, panel, runTable, runCount, runBytes, tile, PANEL_COLS * 4, panelBias, activation);
      for (let p = 0; p < validPixels; p++) {
        memory.copy(dst + <usize>p * outPixelBytes, tile + <usize>(p * PANEL_COLS * 4), <usize>validColumns << 2);
      }
    }
  }
}

/** Where the windows of output row `row` (image * outHeight + outY) start in the padded source. */
// @ts-ignore: decorator
@inline function windowRowStart(
  source: usize, row: i32, outHeight: i32, sourceHeight: i32, strideHeight: i32, sourceRowBytes: usize,
): usize {
  const image = row / outHeight;
  const outY = row - image * outHeight;
  return source + <usize>(image * sourceHeight + outY * strideHeight) * sourceRowBytes;
}

/**
 * Filter gradient of output rows [chunk * rowsPerChunk, ...): partial[entry][column] = Σ over this
 * chunk's output pixels of window[entry] * dy[pixel][column], into this chunk's own slot of
 * `out` ([chunks][patchRounded][outChannelsRounded], summed afterwards by sumPartialsChunk so the
 * result does not depend on how chunks were spread over threads). dy must have outChannelsRounded
 * (a multiple of 8) channels; entries past the patch repeat its last entry.
 */
export function conv2dFilterGradChunk(chunk: i32, scratch: usize, params: usize): void {
  const source = <usize>word(params, CONV_SOURCE);
  const dy = <usize>word(params, CONV_FILTER);
  const partials = <usize>word(params, CONV_OUT);
  const batch = word(params, CONV_BATCH);
  const sourceHeight = word(params, CONV_SOURCE_HEIGHT);
  const sourceWidth = word(params, CONV_SOURCE_WIDTH);
  const channels = word(params, CONV_IN_CHANNELS);
  const outHeight = word(params, CONV_OUT_HEIGHT);
  const outWidth = word(params, CONV_OUT_WIDTH);
  const outChannelsRounded = word(params, CONV_OUT_CHANNELS);
  const filterHeight = word(params, CONV_FILTER_HEIGHT);
  const filterWidth = word(params, CONV_FILTER_WIDTH);
  const strideHeight = word(params, CONV_STRIDE_HEIGHT);
  const strideWidth = word(params, CONV_STRIDE_WIDTH);
  const dilationHeight = word(params, CONV_DILATION_HEIGHT);
  const dilationWidth = word(params, CONV_DILATION_WIDTH);
  const rowsPerChunk = word(params, CONV_ROWS_PER_CHUNK);

  const sourceRowBytes = <usize>(sourceWidth * channels) << 2;
  const pixelStep = <usize>(strideWidth * channels) << 2;
  const patch = filterHeight * filterWidth * channels;
  const patchRounded = (patch + 3) & ~3;
  // Byte offset of each patch entry from its window's origin.
  const table = scratch + TABLE_OFFSET;
  for (let entry = 0; entry < patchRounded; entry++) {
    const e = min(entry, patch - 1);
    const fy = e / (filterWidth * channels);
    const rest = e - fy * filterWidth * channels;
    const fx = rest / channels;
    const c = rest - fx * channels;
    const offset = <usize>(fy * dilationHeight) * sourceRowBytes + (<usize>(fx * dilationWidth * channels + c) << 2);
    store<i32>(table + (<usize>entry << 2), <i32>offset);
  }
  const panels = outChannelsRounded / PANEL_COLS;
  const dyPixelBytes = <usize>outChannelsRounded << 2;
  const partialRowBytes = dyPixelBytes;
  const partial = partials + <usize>chunk * <usize>patchRounded * partialRowBytes;
  const rowBegin = chunk * rowsPerChunk;
  const rowEnd = min(batch * outHeight, rowBegin + rowsPerChunk);
  if (rowEnd <= rowBegin) {
    memory.fill(partial, 0, <usize>patchRounded * partialRowBytes);
    return;
  }
  // A mostly zero dy (a max pool's gradient: 3 cells of 4) takes a sparse path, with the same bits.
  if (channels == 1 && singleChannelSparseFilterGrad(source, dy, partial, scratch, rowBegin, rowEnd, sourceHeight, sourceWidth,
    outHeight, outWidth, outChannelsRounded, filterHeight, filterWidth, strideHeight, strideWidth, dilationHeight, dilationWidth)) return;
  if (sparseFilterGrad(source, dy, partial, scratch, rowBegin, rowEnd, sourceHeight, sourceWidth, channels, outHeight, outWidth,
    outChannelsRounded, filterHeight, filterWidth, strideHeight, strideWidth, dilationHeight, dilationWidth)) return;
  const blockRows = max(1, (GRADIENT_BLOCK_PIXELS + outWidth - 1) / outWidth);
  for (let blockBegin = rowBegin; blockBegin < rowEnd; blockBegin += blockRows) {
    const blockEnd = min(rowEnd, blockBegin + blockRows);
    const first = blockBegin == rowBegin;
    // Panels outside: one panel's columns of the block's dy stay in L1 while every entry reads them.
    for (let panelIndex = 0; panelIndex < panels; panelIndex++) {
      for (let entry0 = 0; entry0 < patchRounded; entry0 += 4) {
        const o0 = <usize>load<i32>(table + (<usize>entry0 << 2));
        const o1 = <usize>load<i32>(table + (<usize>entry0 << 2), 4);
        const o2 = <usize>load<i32>(table + (<usize>entry0 << 2), 8);
        const o3 = <usize>load<i32>(table + (<usize>entry0 << 2), 12);
        const target = partial + <usize>entry0 * partialRowBytes + (<usize>panelIndex << 5);
        let c00 = f32x4.splat(0), c01 = f32x4.splat(0);
        let c10 = f32x4.splat(0), c11 = f32x4.splat(0);
        let c20 = f32x4.splat(0), c21 = f32x4.splat(0);
        let c30 = f32x4.splat(0), c31 = f32x4.splat(0);
        if (!first) {
          c00 = v128.load(target); c01 = v128.load(target, 16);
          c10 = v128.load(target + partialRowBytes); c11 = v128.load(target + partialRowBytes, 16);
          c20 = v128.load(target + 2 * partialRowBytes); c21 = v128.load(target + 2 * partialRowBytes, 16);
          c30 = v128.load(target + 3 * partialRowBytes); c31 = v128.load(target + 3 * partialRowBytes, 16);
        }
        for (let row = blockBegin; row < blockEnd; row++) {
          const image = row / outHeight;
          const outY = row - image * outHeight;
          const window = source + <usize>(image * sourceHeight + outY * strideHeight) * sourceRowBytes;
          let q0 = window + o0, q1 = window + o1, q2 = window + o2, q3 = window + o3;
          let d = dy + <usize>(row * outWidth) * dyPixelBytes + (<usize>panelIndex << 5);
          const dEnd = d + <usize>outWidth * dyPixelBytes;
          while (d < dEnd) {
            const b0 = v128.load(d);
            const b1 = v128.load(d, 16);
            let a = v128.load32_splat(q0);
            c00 = multiplyAdd(a, b0, c00);
            c01 = multiplyAdd(a, b1, c01);
            a = v128.load32_splat(q1);
            c10 = multiplyAdd(a, b0, c10);
            c11 = multiplyAdd(a, b1, c11);
            a = v128.load32_splat(q2);
            c20 = multiplyAdd(a, b0, c20);
            c21 = multiplyAdd(a, b1, c21);
            a = v128.load32_splat(q3);
            c30 = multiplyAdd(a, b0, c30);
            c31 = multiplyAdd(a, b1, c31);
            q0 += pixelStep; q1 += pixelStep; q2 += pixelStep; q3 += pixelStep;
            d += dyPixelBytes;
          }
        }
        v128.store(target, c00); v128.store(target, c01, 16);
        v128.store(target + partialRowBytes, c10); v128.store(target + partialRowBytes, c11, 16);
        v128.store(target + 2 * partialRowBytes, c20); v128.store(target + 2 * partialRowBytes, c21, 16);
        v128.store(target + 3 * partialRowBytes, c30); v128.store(target + 3 * partialRowBytes, c31, 16);
      }
    }
  }
}

/** Where the sparse filter gradient keeps its [outChannelsRounded][patchRounded] sums in the scratch (past the tables). */
const SPARSE_SUMS_OFFSET: usize = 65536;
/** Where it lists a pixel's non-zero channels (8 bytes each), between the offset table and the sums. */
const SPARSE_LIST_OFFSET: usize = 32768;
/** The sparse path pays when at most this share of dy (in 1/256ths) is non-zero. */
const SPARSE_MAX_DENSITY: i32 = 128;

/**
 * The filter gradient of output rows [rowBegin, rowEnd) when dy is mostly zeros, into `partial`
 * ([patchRounded][outChannelsRounded], as the dense loop writes it); returns false, writing nothing,
 * where it does not apply: dilation along x, filter rows of a width * channels that is not a multiple
 * of 4, a dy with more than half its values non-zero, or a non-finite input under the chunk's windows.
 * For each pixel and each channel whose dy is not zero it adds window * dy to that channel's sums of
 * every patch entry (vectors along the patch), pixels in order: each sum adds the dense loop's
 * products in the dense loop's order, less the products with a zero dy, which cannot change it (a
 * sum that starts at +0 is never -0, so adding ±0 leaves it as it is; the inputs are finite, so
 * no 0 * Inf makes a NaN). So the bits are the dense loop's, in both builds.
 */
function sparseFilterGrad(
  source: usize, dy: usize, partial: usize, scratch: usize, rowBegin: i32, rowEnd: i32, sourceHeight: i32, sourceWidth: i32,
  channels: i32, outHeight: i32, outWidth: i32, outChannelsRounded: i32, filterHeight: i32, filterWidth: i32,
  strideHeight: i32, strideWidth: i32, dilationHeight: i32, dilationWidth: i32,
): bool {
  const runFloats = filterWidth * channels;
  if (dilationWidth != 1 || (runFloats & 3) != 0) return false;
  const dyPixelBytes = <usize>outChannelsRounded << 2;
  const dyBegin = dy + <usize>(rowBegin * outWidth) * dyPixelBytes;
  if (!sparseEnough(dy, rowBegin, rowEnd, outWidth, outChannelsRounded, SPARSE_MAX_DENSITY)) return false;
  const sourceRowBytes = <usize>(sourceWidth * channels) << 2;
  if (!windowsFinite(source, rowBegin, rowEnd, sourceHeight, sourceRowBytes, outHeight, strideHeight, filterHeight, dilationHeight)) {
    return false;
  }
  const patch = filterHeight * runFloats;
  const patchRounded = (patch + 3) & ~3;
  const sumsRowBytes = <usize>patchRounded << 2;
  const sums = scratch + SPARSE_SUMS_OFFSET;
  // One row more: a spare that pairs with an odd channel out (it adds x * 0 there, never read).
  const spare = sums + <usize>outChannelsRounded * sumsRowBytes;
  memory.fill(sums, 0, <usize>(outChannelsRounded + 1) * sumsRowBytes);
  // Each pixel's non-zero channels: (their sums row, their dy) pairs.
  const list = scratch + SPARSE_LIST_OFFSET;
  const pixelStep = <usize>(strideWidth * channels) << 2;
  const runBytes = <usize>runFloats << 2;
  const runStep = <usize>dilationHeight * sourceRowBytes;
  let d = dyBegin;
  for (let row = rowBegin; row < rowEnd; row++) {
    const image = row / outHeight;
    const outY = row - image * outHeight;
    let window = source + <usize>(image * sourceHeight + outY * strideHeight) * sourceRowBytes;
    for (let outX = 0; outX < outWidth; outX++) {
      let count: usize = 0;
      for (let c0 = 0; c0 < outChannelsRounded; c0 += 4) {
        let mask = i32x4.bitmask(f32x4.ne(v128.load(d), f32x4.splat(0)));
        while (mask != 0) {
          const lane = <i32>ctz(mask);
          mask &= mask - 1;
          store<u32>(list + (count << 3), <u32>(sums + <usize>(c0 + lane) * sumsRowBytes));
          store<f32>(list + (count << 3), load<f32>(d + (<usize>lane << 2)), 4);
          count++;
        }
        d += 16;
      }
      if (count & 1) {
        store<u32>(list + (count << 3), <u32>spare);
        store<f32>(list + (count << 3), 0, 4);
        count++;
      }
      // Two channels at a time: each window vector, loaded once, feeds both channels' sums.
      for (let k: usize = 0; k < count; k += 2) {
        let target0 = <usize>load<u32>(list + (k << 3));
        const gradient0 = v128.load32_splat(list + (k << 3) + 4);
        let target1 = <usize>load<u32>(list + (k << 3) + 8);
        const gradient1 = v128.load32_splat(list + (k << 3) + 12);
        let run = window;
        for (let fy = 0; fy < filterHeight; fy++) {
          const runEnd = run + runBytes;
          for (let at = run; at < runEnd; at += 16) {
            const value = v128.load(at);
            v128.store(target0, multiplyAdd(value, gradient0, v128.load(target0)));
            v128.store(target1, multiplyAdd(value, gradient1, v128.load(target1)));
            target0 += 16;
            target1 += 16;
          }
          run += runStep;
        }
      }
      window += pixelStep;
    }
  }
  // Into the dense loop's layout: partial[entry][column] (entries past the patch are never read).
  for (let column = 0; column < outChannelsRounded; column++) {
    const from = sums + <usize>column * sumsRowBytes;
    for (let entry = 0; entry < patchRounded; entry++) {
      store<f32>(partial + (<usize>(entry * outChannelsRounded + column) << 2), load<f32>(from + (<usize>entry << 2)));
    }
  }
  return true;
}

/** Whether at most maxDensity / 256 of dy's values in output rows [rowBegin, rowEnd) are non-zero (NaN counts: it must reach the sums). */
function sparseEnough(dy: usize, rowBegin: i32, rowEnd: i32, outWidth: i32, outChannelsRounded: i32, maxDensity: i32): bool {
  const dyPixelBytes = <usize>outChannelsRounded << 2;
  const dyBegin = dy + <usize>(rowBegin * outWidth) * dyPixelBytes;
  const dyEnd = dy + <usize>(rowEnd * outWidth) * dyPixelBytes;
  let nonZero = 0;
  for (let at = dyBegin; at < dyEnd; at += 16) {
    nonZero += <i32>popcnt(i32x4.bitmask(f32x4.ne(v128.load(at), f32x4.splat(0))));
  }
  return nonZero * 256 <= <i32>((dyEnd - dyBegin) >> 2) * maxDensity;
}

/**
 * Whether every source value under the windows of output rows [rowBegin, rowEnd) is finite (x - x
 * is 0 for finite x, NaN otherwise): the rows from the first window's top to the last window's
 * bottom (images are stacked), each once. A sparse path skips the products with a zero dy, which
 * only leaves the sums as they are when no 0 * Inf would have made a NaN.
 */
function windowsFinite(
  source: usize, rowBegin: i32, rowEnd: i32, sourceHeight: i32, sourceRowBytes: usize, outHeight: i32, strideHeight: i32,
  filterHeight: i32, dilationHeight: i32,
): bool {
  const firstImage = rowBegin / outHeight;
  const lastImage = (rowEnd - 1) / outHeight;
  const firstRow = firstImage * sourceHeight + (rowBegin - firstImage * outHeight) * strideHeight;
  const endRow = min(lastImage * sourceHeight + (rowEnd - 1 - lastImage * outHeight) * strideHeight + (filterHeight - 1) * dilationHeight + 1,
    (lastImage + 1) * sourceHeight);
  const checkEnd = source + <usize>endRow * sourceRowBytes;
  let at = source + <usize>firstRow * sourceRowBytes;
  let bad = v128.splat<i32>(0);
  for (; at + 16 <= checkEnd; at += 16) {
    const value = v128.load(at);
    bad = v128.or(bad, f32x4.ne(f32x4.sub(value, value), f32x4.splat(0)));
  }
  if (v128.any_true(bad)) return false;
  for (; at < checkEnd; at += 4) {
    const value = load<f32>(at);
    if (value - value != 0) return false;
  }
  return true;
}

/** Where the one-channel sparse filter gradient keeps its sums, then a block's tables (up to SINGLE_END). */
const SINGLE_BEGIN: usize = 32768;
const SINGLE_END: usize = 65536;
/** The one-channel sparse path pays when at most this share of dy (in 1/256ths) is non-zero. */
const SINGLE_MAX_DENSITY: i32 = 85;
/** Filter rows a pass of the one-channel sparse path keeps in registers (two vectors each). */
const SINGLE_PASS_ROWS: i32 = 5;
/** Scratch bytes per pixel of a block: its window's address, its mask byte and its 8 channels' bits. */
const SINGLE_PIXEL_BYTES: usize = 6;

/**
 * The filter gradient of output rows [rowBegin, rowEnd) of a one-channel convolution 4 to 8 taps
 * wide (dilation 1 along x: each filter row is one run of the source) when dy is mostly zeros (a
 * max pool's gradient), into `partial` as the dense loop writes it; returns false, writing nothing,
 * where it does not apply (other widths, a block of dy with more than a third of its values non-zero,
 * a non-finite input under the windows). The dense loop spends its multiply-adds on the zeros too, and a ninth of them
 * on the one-channel 5x5 patch rounded to 28 taps. Here, per block of pixels (rows in order, their
 * dy contiguous) and 8 output channels: a byte per pixel says which channels are non-zero, turned
 * into a bit string per channel (64 pixels a word); then each channel's sums of a pass of up to 5
 * filter rows stay in registers, two vectors a row (taps 0-3 and the last 4, overlapping), while
 * the set bits give the pixels, in order, whose window adds into them. Each sum adds the dense
 * loop's products in its order, less those with a zero dy (see sparseFilterGrad): the same bits.
 */
function singleChannelSparseFilterGrad(
  source: usize, dy: usize, partial: usize, scratch: usize, rowBegin: i32, rowEnd: i32, sourceHeight: i32, sourceWidth: i32,
  outHeight: i32, outWidth: i32, outChannelsRounded: i32, filterHeight: i32, filterWidth: i32,
  strideHeight: i32, strideWidth: i32, dilationHeight: i32, dilationWidth: i32,
): bool {
  if (dilationWidth != 1 || filterWidth < 4 || filterWidth > 8) return false;
  const sumsBytes = <usize>(outChannelsRounded * filterHeight) << 5;
  // A block's pixels: whole rows, and a multiple of 64 (whole words) unless it is the last.
  const blockPixels = <i32>((SINGLE_END - SINGLE_BEGIN - sumsBytes - 64) / SINGLE_PIXEL_BYTES) & ~63;
  if (blockPixels < outWidth) return false;
  // A first look at one row, so that a dense dy costs next to nothing here.
  if (!sparseEnough(dy, rowBegin, rowBegin + 1, outWidth, outChannelsRounded, 128)) return false;
  const sourceRowBytes = <usize>sourceWidth << 2;
  const blockRows = blockPixels / outWidth;
  const sums = scratch + SINGLE_BEGIN;
  memory.fill(sums, 0, sumsBytes);
  const windows = sums + sumsBytes;
  const masks = windows + (<usize>blockPixels << 2);
  const bits = masks + <usize>blockPixels + 64;
  const dyPixelBytes = <usize>outChannelsRounded << 2;
  const pixelStep = <usize>strideWidth << 2;
  const runStep = <usize>dilationHeight * sourceRowBytes;
  // The second vector of a filter row: its last 4 taps.
  const lastFour = <usize>(filterWidth - 4) << 2;
  const zero = f32x4.splat(0);
  for (let blockBegin = rowBegin; blockBegin < rowEnd; blockBegin += blockRows) {
    const blockEnd = min(rowEnd, blockBegin + blockRows);
    const pixels = (blockEnd - blockBegin) * outWidth;
    const words = (pixels + 63) >> 6;
    const dyBlock = dy + <usize>(blockBegin * outWidth) * dyPixelBytes;
    for (let group = 0; group < outChannelsRounded; group += 8) {
      // Mask bytes: bit k of a pixel's byte says whether its dy[group + k] is not zero (or is NaN);
      // zeros past the block's last pixel up to its last word.
      v128.store(masks + (<usize>(words - 1) << 6), zero);
      v128.store(masks + (<usize>(words - 1) << 6), zero, 16);
      v128.store(masks + (<usize>(words - 1) << 6), zero, 32);
      v128.store(masks + (<usize>(words - 1) << 6), zero, 48);
      let d = dyBlock + (<usize>group << 2);
      let p = 0;
      let nonZero = 0;
      for (; p + 2 <= pixels; p += 2) {
        const first = i16x8.narrow_i32x4_s(f32x4.ne(v128.load(d), zero), f32x4.ne(v128.load(d, 16), zero));
        const second = i16x8.narrow_i32x4_s(f32x4.ne(v128.load(d + dyPixelBytes), zero), f32x4.ne(v128.load(d + dyPixelBytes, 16), zero));
        const mask = i8x16.bitmask(i8x16.narrow_i16x8_s(first, second));
        store<u16>(masks + <usize>p, <u16>mask);
        nonZero += <i32>popcnt(mask);
        d += dyPixelBytes << 1;
      }
      if (p < pixels) {
        const first = i16x8.narrow_i32x4_s(f32x4.ne(v128.load(d), zero), f32x4.ne(v128.load(d, 16), zero));
        const mask = i8x16.bitmask(i8x16.narrow_i16x8_s(first, zero));
        store<u8>(masks + <usize>p, <u8>mask);
        nonZero += <i32>popcnt(mask);
      }
      // Too dense to pay: give up (only the scratch was written) and leave it to the dense loop.
      if (nonZero * 256 > pixels * 8 * SINGLE_MAX_DENSITY) return false;
      if (blockBegin == rowBegin && group == 0 &&
        !windowsFinite(source, rowBegin, rowEnd, sourceHeight, sourceRowBytes, outHeight, strideHeight, filterHeight, dilationHeight)) {
        return false;
      }
      if (group == 0) {
        // Each pixel's window in the source.
        let pixel = 0;
        for (let row = blockBegin; row < blockEnd; row++) {
          const image = row / outHeight;
          const outY = row - image * outHeight;
          let window = source + <usize>(image * sourceHeight + outY * strideHeight) * sourceRowBytes;
          for (let x = 0; x < outWidth; x++) {
            store<u32>(windows + (<usize>pixel << 2), <u32>window);
            window += pixelStep;
            pixel++;
          }
        }
      }
      // Bit strings: bit i of channel k's word w is set when pixel 64 w + i is non-zero there.
      for (let k = 0; k < 8; k++) {
        const shift = 7 - k;
        const channelBits = bits + (<usize>(k * words) << 3);
        for (let w = 0; w < words; w++) {
          const at = masks + (<usize>w << 6);
          const value = <u64>i8x16.bitmask(i8x16.shl(v128.load(at), shift)) |
            <u64>i8x16.bitmask(i8x16.shl(v128.load(at, 16), shift)) << 16 |
            <u64>i8x16.bitmask(i8x16.shl(v128.load(at, 32), shift)) << 32 |
            <u64>i8x16.bitmask(i8x16.shl(v128.load(at, 48), shift)) << 48;
          store<u64>(channelBits + (<usize>w << 3), value);
        }
      }
      for (let k = 0; k < 8; k++) {
        const column = group + k;
        const columnSums = sums + (<usize>(column * filterHeight) << 5);
        const channelBits = bits + (<usize>(k * words) << 3);
        const dyColumn = dyBlock + (<usize>column << 2);
        for (let fy0 = 0; fy0 < filterHeight; fy0 += SINGLE_PASS_ROWS) {
          const passRows = min(SINGLE_PASS_ROWS, filterHeight - fy0);
          const passSums = columnSums + (<usize>fy0 << 5);
          const passOffset = <usize>fy0 * runStep;
          if (filterWidth == 5 && passRows == 5) {
            fiveByFivePass(passSums, channelBits, words, windows, passOffset, runStep, dyColumn, dyPixelBytes);
            continue;
          }
          let s0a = v128.load(passSums), s0b = v128.load(passSums, 16);
          let s1a = zero, s1b = zero, s2a = zero, s2b = zero, s3a = zero, s3b = zero, s4a = zero, s4b = zero;
          if (passRows > 1) { s1a = v128.load(passSums, 32); s1b = v128.load(passSums, 48); }
          if (passRows > 2) { s2a = v128.load(passSums, 64); s2b = v128.load(passSums, 80); }
          if (passRows > 3) { s3a = v128.load(passSums, 96); s3b = v128.load(passSums, 112); }
          if (passRows > 4) { s4a = v128.load(passSums, 128); s4b = v128.load(passSums, 144); }
          for (let w = 0; w < words; w++) {
            let value = load<u64>(channelBits + (<usize>w << 3));
            while (value != 0) {
              const p = (w << 6) + <i32>ctz(value);
              value &= value - 1;
              const gradient = v128.load32_splat(dyColumn + <usize>p * dyPixelBytes);
              let window = <usize>load<u32>(windows + (<usize>p << 2)) + passOffset;
              s0a = multiplyAdd(v128.load(window), gradient, s0a);
              s0b = multiplyAdd(v128.load(window + lastFour), gradient, s0b);
              if (passRows > 1) {
                window += runStep;
                s1a = multiplyAdd(v128.load(window), gradient, s1a);
                s1b = multiplyAdd(v128.load(window + lastFour), gradient, s1b);
              }
              if (passRows > 2) {
                window += runStep;
                s2a = multiplyAdd(v128.load(window), gradient, s2a);
                s2b = multiplyAdd(v128.load(window + lastFour), gradient, s2b);
              }
              if (passRows > 3) {
                window += runStep;
                s3a = multiplyAdd(v128.load(window), gradient, s3a);
                s3b = multiplyAdd(v128.load(window + lastFour), gradient, s3b);
              }
              if (passRows > 4) {
                window += runStep;
                s4a = multiplyAdd(v128.load(window), gradient, s4a);
                s4b = multiplyAdd(v128.load(window + lastFour), gradient, s4b);
              }
            }
          }
          v128.store(passSums, s0a); v128.store(passSums, s0b, 16);
          if (passRows > 1) { v128.store(passSums, s1a, 32); v128.store(passSums, s1b, 48); }
          if (passRows > 2) { v128.store(passSums, s2a, 64); v128.store(passSums, s2b, 80); }
          if (passRows > 3) { v128.store(passSums, s3a, 96); v128.store(passSums, s3b, 112); }
          if (passRows > 4) { v128.store(passSums, s4a, 128); v128.store(passSums, s4b, 144); }
        }
      }
    }
  }
  // Into the dense loop's layout: partial[fy * filterWidth + fx][column], taps 0-3 of a row from its
  // first vector and the rest from its second; entries past the patch are zeros (never read).
  const patch = filterHeight * filterWidth;
  const patchRounded = (patch + 3) & ~3;
  for (let column = 0; column < outChannelsRounded; column++) {
    const columnSums = sums + (<usize>(column * filterHeight) << 5);
    for (let fy = 0; fy < filterHeight; fy++) {
      for (let fx = 0; fx < filterWidth; fx++) {
        const from = columnSums + (<usize>fy << 5) + (fx < 4 ? <usize>fx << 2 : 16 + (<usize>(fx - filterWidth + 4) << 2));
        store<f32>(partial + (<usize>((fy * filterWidth + fx) * outChannelsRounded + column) << 2), load<f32>(from));
      }
    }
    for (let entry = patch; entry < patchRounded; entry++) {
      store<f32>(partial + (<usize>(entry * outChannelsRounded + column) << 2), 0);
    }
  }
  return true;
}

/**
 * A pass of singleChannelSparseFilterGrad over 5 filter rows 5 taps wide (a 5x5 filter), with fewer
 * vector products than two a row: taps 0-3 of each row in one vector, tap 4 of rows 0-3 gathered into
 * one more and tap 4 of row 4 alone, 7 products for 25 taps instead of 10. The sums live where the
 * general pass keeps them (tap 4 of row r at lane 3 of its second vector), each adding the same
 * products in the same order.
 */
function fiveByFivePass(
  passSums: usize, channelBits: usize, words: i32, windows: usize, passOffset: usize, runStep: usize, dyColumn: usize,
  dyPixelBytes: usize,
): void {
  let s0 = v128.load(passSums), s1 = v128.load(passSums, 32), s2 = v128.load(passSums, 64);
  let s3 = v128.load(passSums, 96), s4 = v128.load(passSums, 128);
  let column = v128.load32_zero(passSums, 28);
  column = v128.load32_lane(passSums, column, 1, 60);
  column = v128.load32_lane(passSums, column, 2, 92);
  column = v128.load32_lane(passSums, column, 3, 124);
  let corner = v128.load32_zero(passSums, 156);
  const step2 = runStep << 1;
  const step3 = step2 + runStep;
  const step4 = step2 << 1;
  for (let w = 0; w < words; w++) {
    let value = load<u64>(channelBits + (<usize>w << 3));
    while (value != 0) {
      const p = (w << 6) + <i32>ctz(value);
      value &= value - 1;
      const gradient = v128.load32_splat(dyColumn + <usize>p * dyPixelBytes);
      const window = <usize>load<u32>(windows + (<usize>p << 2)) + passOffset;
      s0 = multiplyAdd(v128.load(window), gradient, s0);
      s1 = multiplyAdd(v128.load(window + runStep), gradient, s1);
      s2 = multiplyAdd(v128.load(window + step2), gradient, s2);
      s3 = multiplyAdd(v128.load(window + step3), gradient, s3);
      s4 = multiplyAdd(v128.load(window + step4), gradient, s4);
      let fifth = v128.load32_zero(window, 16);
      fifth = v128.load32_lane(window + runStep, fifth, 1, 16);
      fifth = v128.load32_lane(window + step2, fifth, 2, 16);
      fifth = v128.load32_lane(window + step3, fifth, 3, 16);
      column = multiplyAdd(fifth, gradient, column);
      corner = multiplyAdd(v128.load32_zero(window + step4, 16), gradient, corner);
    }
  }
  v128.store(passSums, s0); v128.store(passSums, s1, 32); v128.store(passSums, s2, 64);
  v128.store(passSums, s3, 96); v128.store(passSums, s4, 128);
  v128.store32_lane(passSums, column, 0, 28);
  v128.store32_lane(passSums, column, 1, 60);
  v128.store32_lane(passSums, column, 2, 92);
  v128.store32_lane(passSums, column, 3, 124);
  v128.store32_lane(passSums, corner, 0, 156);
}

/**
 * Rows [chunk * entriesPerChunk, ...) of out[entry][column] (a [patch, outChannels] filter) =
 * Σ over `chunks` partial slots of partial[entry][column], the slots laid out
 * [chunks][patchRounded][outChannelsRounded]: each row of the slots is added onto the first slot's
 * row in slot order (whole vectors), then its valid part is copied out. Every element adds the
 * same slots in the same order whatever the split, so the bits do not depend on the threads.
 */
export function sumPartialsChunk(
  chunk: i32, scratch: usize, partials: usize, out: usize, chunks: i32, patch: i32, outChannels: i32,
  patchRounded: i32, outChannelsRounded: i32, entriesPerChunk: i32,
): void {
  const slotBytes = <usize>(patchRounded * outChannelsRounded) << 2;
  const partialRowBytes = <usize>outChannelsRounded << 2;
  const entryBegin = chunk * entriesPerChunk;
  const entryEnd = min(patch, entryBegin + entriesPerChunk);
  if (entryEnd <= entryBegin) return;
  const begin = <usize>entryBegin * partialRowBytes;
  const end = <usize>entryEnd * partialRowBytes;
  for (let slot = 1; slot < chunks; slot++) {
    const from = partials + <usize>slot * slotBytes;
    for (let offset = begin; offset < end; offset += 16) {
      v128.store(partials + offset, f32x4.add(v128.load(partials + offset), v128.load(from + offset)));
    }
  }
  const rowBytes = <usize>outChannels << 2;
  for (let entry = entryBegin; entry < entryEnd; entry++) {
    memory.copy(out + <usize>entry * rowBytes, partials + <usize>entry * partialRowBytes, rowBytes);
  }
}
