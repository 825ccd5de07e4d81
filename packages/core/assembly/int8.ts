// Integer kernels for int8-quantized inference: out[m, n] = activation(dequantize(q(x)[m, k] · w[n, k]ᵀ) + bias[n]),
// for a linear layer (int8LinearChunk) and, computed directly on the quantized image, a convolution
// with an optional fused max pool (int8Conv2dChunk, see its comment).
// Linear: activations are quantized here (per row, or with one calibrated scale) to int8 values
// held sign-extended in i16 rows of `paddedDepth`; the weights arrive packed once by the host
// (src/backends/cpu/wasm/wasm-int8.ts) in groups of 4 output columns, the group's four i16 vectors
// of each 8-deep block side by side, so one pointer with constant offsets reaches all four. The
// inner loop is loads and i32x4.dot_i16x8_s (8 exact multiply-adds into int32 sums) over a 2-row ×
// 4-column register tile: each loaded vector feeds 2 or 4 dot products. The four partial-sum
// vectors of a row reduce to one vector of 4 columns, dequantized, biased and relu'd as a vector.
// Must give the same bits as the TypeScript reference in src/backends/cpu/kernels/int8-linear.ts
// and int8-conv2d.ts.

import { word } from './parameter-block';

/** Depth rounded up to whole 8-lane i16 vectors; the padding values are zero on both sides. */
// @ts-ignore: decorator
@inline export function int8PaddedDepth(depth: i32): i32 {
  return (depth + 7) & ~7;
}

/** The smallest row maximum used for a scale, so an all-zero row quantizes to zeros, not NaN. */
const MIN_ROW_MAXIMUM: f32 = 1e-30;
const RELU: i32 = 1;

/** max|x| over `length` floats (NaN skipped), at least MIN_ROW_MAXIMUM. */
function absoluteMaximum(x: usize, length: i32): f32 {
  let maximum = f32x4.splat(0);
  let i = 0;
  // pmax (one maxps) rather than max (NaN-propagating, several instructions): NaN is skipped.
  for (; i + 4 <= length; i += 4) maximum = f32x4.pmax(maximum, f32x4.abs(v128.load(x + (<usize>i << 2))));
  let result = max(max(f32x4.extract_lane(maximum, 0), f32x4.extract_lane(maximum, 1)), max(f32x4.extract_lane(maximum, 2), f32x4.extract_lane(maximum, 3)));
  for (; i < length; i++) {
    const magnitude = abs(load<f32>(x + (<usize>i << 2)));
    if (magnitude > result) result = magnitude;
  }
  return max(result, MIN_ROW_MAXIMUM);
}

/** Quantizes `length` floats at x to i16 values at q: clamp(floor(x · inverse + 0.5), -127, 127). */
function quantizeValues(x: usize, q: usize, length: i32, inverse: f32): void {
  const inverseVector = f32x4.splat(inverse);
  const half = f32x4.splat(0.5);
  const low = f32x4.splat(-127);
  const high = f32x4.splat(127);
  // Whole numbers in [-127, 127] plus 1.5·2²³ keep their value in the low mantissa bits: adding it and
  // subtracting its bit pattern converts to int32 in two instructions, where trunc_sat takes ~10.
  // pmax(low, v) and pmin(high, v) clamp in one instruction each, and send NaN to -127.
  const magic = f32x4.splat(12582912);
  const magicBits = i32x4.splat(0x4b400000);
  let i = 0;
  for (; i + 8 <= length; i += 8) {
    const base = x + (<usize>i << 2);
    const v0 = f32x4.pmin(high, f32x4.pmax(low, f32x4.floor(f32x4.add(f32x4.mul(v128.load(base), inverseVector), half))));
    const v1 = f32x4.pmin(high, f32x4.pmax(low, f32x4.floor(f32x4.add(f32x4.mul(v128.load(base, 16), inverseVector), half))));
    const q0 = i32x4.sub(f32x4.add(v0, magic), magicBits);
    const q1 = i32x4.sub(f32x4.add(v1, magic), magicBits);
    v128.store(q + (<usize>i << 1), i16x8.narrow_i32x4_s(q0, q1));
  }
  for (; i < length; i++) {
    const value = Mathf.floor(load<f32>(x + (<usize>i << 2)) * inverse + <f32>0.5);
    store<i16>(q + (<usize>i << 1), <i16>(value >= -127 ? (value <= 127 ? <i32>value : 127) : -127));
  }
}

/** Zeroes the i16 values [from, to) of the row at q. */
function zeroValues(q: usize, from: i32, to: i32): void {
  for (let i = from; i < to; i++) store<i16>(q + (<usize>i << 1), 0);
}

/**
 * Quantizes row `x` (depth floats) into `q` (paddedDepth i16) and returns its scale: `fixedScale`
 * when > 0, else max|row| / 127.
 */
function quantizeRow(x: usize, q: usize, depth: i32, paddedDepth: i32, fixedScale: f32): f32 {
  let scale: f32;
  let inverse: f32;
  if (fixedScale > 0) {
    scale = fixedScale;
    inverse = <f32>1 / fixedScale;
  } else {
    const rowMaximum = absoluteMaximum(x, depth);
    scale = rowMaximum / <f32>127;
    inverse = <f32>127 / rowMaximum;
  }
  quantizeValues(x, q, depth, inverse);
  zeroValues(q, depth, paddedDepth);
  return scale;
}

/** The lane sums of four vectors, as one: [Σc0, Σc1, Σc2, Σc3]. */
// @ts-ignore: decorator
@inline function reduce4(c0: v128, c1: v128, c2: v128, c3: v128): v128 {
  const s01 = i32x4.add(v128.shuffle<i32>(c0, c1, 0, 4, 1, 5), v128.shuffle<i32>(c0, c1, 2, 6, 3, 7));
  const s23 = i32x4.add(v128.shuffle<i32>(c2, c3, 0, 4, 1, 5), v128.shuffle<i32>(c2, c3, 2, 6, 3, 7));
  return i32x4.add(v128.shuffle<i32>(s01, s23, 0, 1, 4, 5), v128.shuffle<i32>(s01, s23, 2, 3, 6, 7));
}

/** One output: sum · (rowScale · weightScales[column]) + bias[column], then relu. */
// @ts-ignore: decorator
@inline function finishOne(outRow: usize, sum: i32, rowScale: f32, weightScales: usize, bias: usize, column: i32, relu: bool): void {
  let value = <f32>sum * (rowScale * load<f32>(weightScales + (<usize>column << 2)));
  if (bias != 0) value += load<f32>(bias + (<usize>column << 2));
  if (relu) value = max<f32>(value, 0);
  store<f32>(outRow + (<usize>column << 2), value);
}

/** Columns [column, column + 4) of one output row (fewer at the right edge), from their int32 sums. */
// @ts-ignore: decorator
@inline function finishRow(outRow: usize, sums: v128, rowScale: f32, weightScales: usize, bias: usize, column: i32, n: i32, relu: bool): void {
  if (column + 4 <= n) {
    const at = <usize>column << 2;
    // The same float32 steps as finishOne, four lanes at once.
    let value = f32x4.mul(f32x4.convert_i32x4_s(sums), f32x4.mul(f32x4.splat(rowScale), v128.load(weightScales + at)));
    if (bias != 0) value = f32x4.add(value, v128.load(bias + at));
    if (relu) value = f32x4.max(value, f32x4.splat(0));
    v128.store(outRow + at, value);
  } else {
    finishOne(outRow, i32x4.extract_lane(sums, 0), rowScale, weightScales, bias, column, relu);
    if (column + 1 < n) finishOne(outRow, i32x4.extract_lane(sums, 1), rowScale, weightScales, bias, column + 1, relu);
    if (column + 2 < n) finishOne(outRow, i32x4.extract_lane(sums, 2), rowScale, weightScales, bias, column + 2, relu);
  }
}

/**
 * Rows [rowStart, rowEnd) (rowStart even) of quantized activations `a` (rows of paddedDepth i16;
 * when rowEnd is odd, row rowEnd must exist and be zero) times every column group of `packed`:
 * out row r at out + r·n floats. Row r's scale is at rowScales + r·rowScaleStride.
 */
function gemmRows(
  a: usize, rowStart: i32, rowEnd: i32, packed: usize, paddedDepth: i32, n: i32, rowScales: usize, rowScaleStride: usize,
  weightScales: usize, bias: usize, out: usize, relu: bool,
): void {
  const rowBytes = <usize>paddedDepth << 1;
  const groupBytes = <usize>paddedDepth << 3;
  const outRowBytes = <usize>n << 2;
  // One group of 4 weight columns (4 · paddedDepth i16, a few KiB) stays in L1 while every row pair
  // streams past it.
  for (let column = 0; column < n; column += 4) {
    const b = packed + <usize>(column >> 2) * groupBytes;
    for (let row = rowStart; row < rowEnd; row += 2) {
      const a0 = a + <usize>row * rowBytes;
      const a1 = a0 + rowBytes;
      let c00 = i32x4.splat(0), c01 = i32x4.splat(0), c02 = i32x4.splat(0), c03 = i32x4.splat(0);
      let c10 = i32x4.splat(0), c11 = i32x4.splat(0), c12 = i32x4.splat(0), c13 = i32x4.splat(0);
      for (let offset: usize = 0; offset < rowBytes; offset += 16) {
        const va0 = v128.load(a0 + offset);
        const va1 = v128.load(a1 + offset);
        const bp = b + (offset << 2);
        let vb = v128.load(bp);
        c00 = i32x4.add(c00, i32x4.dot_i16x8_s(va0, vb));
        c10 = i32x4.add(c10, i32x4.dot_i16x8_s(va1, vb));
        vb = v128.load(bp, 16);
        c01 = i32x4.add(c01, i32x4.dot_i16x8_s(va0, vb));
        c11 = i32x4.add(c11, i32x4.dot_i16x8_s(va1, vb));
        vb = v128.load(bp, 32);
        c02 = i32x4.add(c02, i32x4.dot_i16x8_s(va0, vb));
        c12 = i32x4.add(c12, i32x4.dot_i16x8_s(va1, vb));
        vb = v128.load(bp, 48);
        c03 = i32x4.add(c03, i32x4.dot_i16x8_s(va0, vb));
        c13 = i32x4.add(c13, i32x4.dot_i16x8_s(va1, vb));
      }
      const outRow = out + <usize>row * outRowBytes;
      finishRow(outRow, reduce4(c00, c01, c02, c03), load<f32>(rowScales + <usize>row * rowScaleStride), weightScales, bias, column, n, relu);
      if (row + 1 < rowEnd) {
        finishRow(outRow + outRowBytes, reduce4(c10, c11, c12, c13), load<f32>(rowScales + <usize>(row + 1) * rowScaleStride), weightScales, bias, column, n, relu);
      }
    }
  }
}

/**
 * One chunk of an int8 linear layer: rows [chunk·rowsPerChunk, +rowsPerChunk) (rowsPerChunk even)
 * of x [m, depth] are quantized into `work` (m rounded up to even rows of paddedDepth i16, then m
 * row scales as f32) and multiplied with the packed weights (see the file comment; n rounded up to
 * 4 columns); each int32 sum is scaled by rowScale · weightScales[column], plus bias (0 = none),
 * then relu when `flags` & 1. `inputScale` > 0 fixes the activation scale (calibrated); 0 takes
 * each row's own (dynamic).
 */
export function int8LinearChunk(
  chunk: i32, scratch: usize, x: usize, packed: usize, weightScales: usize, bias: usize, out: usize, work: usize,
  m: i32, n: i32, depth: i32, inputScale: f32, flags: i32, rowsPerChunk: i32,
): void {
  const paddedDepth = int8PaddedDepth(depth);
  const rowBytes = <usize>paddedDepth << 1;
  const rowScales = work + <usize>((m + 1) & ~1) * rowBytes;
  const rowStart = chunk * rowsPerChunk;
  const rowEnd = min(m, rowStart + rowsPerChunk);
  for (let row = rowStart; row < rowEnd; row++) {
    const scale = quantizeRow(x + <usize>row * <usize>depth * 4, work + <usize>row * rowBytes, depth, paddedDepth, inputScale);
    store<f32>(rowScales + (<usize>row << 2), scale);
  }
  // An odd last row pairs with a zero row (its results are not stored).
  if (rowEnd & 1) zeroValues(work + <usize>rowEnd * rowBytes, 0, paddedDepth);
  gemmRows(work, rowStart, rowEnd, packed, paddedDepth, n, rowScales, 4, weightScales, bias, out, (flags & RELU) != 0);
}

// Words of int8Conv2dChunk's parameter block (filled by src/backends/cpu/wasm/wasm-int8.ts).
const P_X = 0, P_PACKED = 1, P_SCALES = 2, P_BIAS = 3, P_OUT = 4, P_WORK = 5, P_BATCH = 6, P_IN_HEIGHT = 7, P_IN_WIDTH = 8;
const P_CHANNELS = 9, P_OUT_HEIGHT = 10, P_OUT_WIDTH = 11, P_FILTERS = 12, P_FILTER_HEIGHT = 13, P_FILTER_WIDTH = 14;
const P_STRIDE_HEIGHT = 15, P_STRIDE_WIDTH = 16, P_DILATION_HEIGHT = 17, P_DILATION_WIDTH = 18, P_PAD_TOP = 19, P_PAD_LEFT = 20;
const P_INPUT_SCALE = 21, P_FLAGS = 22, P_IMAGES_PER_CHUNK = 23, P_SLOT_BYTES = 24, P_POOL_HEIGHT = 25, P_POOL_WIDTH = 26;

/**
 * The int32 sums of 4 output pixels × 8 output channels of a direct convolution, stored at `result`
 * as 8 vectors (pixel k's channels 0–3 at k·32, 4–7 at k·32 + 16). `p0`…`p3` point at the pixels'
 * windows in the bordered i16 image, where each filter row's window is `runsPerRow` runs of
 * `pairsPerRun` i16 pairs, `tapStep` bytes apart (`rowStep` bytes to the next row): one run of
 * filterWidth · channels values when the filter is not dilated in width, else filterWidth runs of
 * `channels` values. Each pair is read as one 32-bit load
 * splat to all lanes, times a vector holding the pair's weights for 4 channels side by side, is one
 * i32x4.dot_i16x8_s giving 4 channels' partial sums — no im2col and no cross-lane reduction. Each
 * weight vector feeds 4 pixels.
 */
function directBlock(
  p0: usize, p1: usize, p2: usize, p3: usize, weights: usize, filterHeight: i32, runsPerRow: i32, pairsPerRun: i32,
  tapStep: usize, rowStep: usize, result: usize,
): void {
  let c00 = i32x4.splat(0), c01 = i32x4.splat(0), c10 = i32x4.splat(0), c11 = i32x4.splat(0);
  let c20 = i32x4.splat(0), c21 = i32x4.splat(0), c30 = i32x4.splat(0), c31 = i32x4.splat(0);
  const runBytes = <usize>pairsPerRun << 2;
  let w = weights;
  const rowJump = rowStep - <usize>runsPerRow * tapStep;
  for (let fy = 0; fy < filterHeight; fy++) {
    for (let run = 0; run < runsPerRow; run++) {
      for (let offset: usize = 0; offset < runBytes; offset += 4) {
        const w0 = v128.load(w);
        const w1 = v128.load(w, 16);
        w += 32;
        let x = v128.load32_splat(p0 + offset);
        c00 = i32x4.add(c00, i32x4.dot_i16x8_s(x, w0));
        c01 = i32x4.add(c01, i32x4.dot_i16x8_s(x, w1));
        x = v128.load32_splat(p1 + offset);
        c10 = i32x4.add(c10, i32x4.dot_i16x8_s(x, w0));
        c11 = i32x4.add(c11, i32x4.dot_i16x8_s(x, w1));
        x = v128.load32_splat(p2 + offset);
        c20 = i32x4.add(c20, i32x4.dot_i16x8_s(x, w0));
        c21 = i32x4.add(c21, i32x4.dot_i16x8_s(x, w1));
        x = v128.load32_splat(p3 + offset);
        c30 = i32x4.add(c30, i32x4.dot_i16x8_s(x, w0));
        c31 = i32x4.add(c31, i32x4.dot_i16x8_s(x, w1));
      }
      p0 += tapStep;
      p1 += tapStep;
      p2 += tapStep;
      p3 += tapStep;
    }
    p0 += rowJump;
    p1 += rowJump;
    p2 += rowJump;
    p3 += rowJump;
  }
  v128.store(result, c00);
  v128.store(result, c01, 16);
  v128.store(result, c10, 32);
  v128.store(result, c11, 48);
  v128.store(result, c20, 64);
  v128.store(result, c21, 80);
  v128.store(result, c30, 96);
  v128.store(result, c31, 112);
}

/**
 * One chunk of an int8 convolution computed directly (NHWC x, groups 1), with an optional fused max
 * pool: images [chunk·imagesPerChunk, +imagesPerChunk). Each image is quantized (its own scale
 * max|image| / 127, or the calibrated one) into a zero-bordered i16 copy in this chunk's slot of
 * `work` (paddedHeight × paddedWidth × channels: the padding, and only the rows and columns the filter
 * reaches), then blocks of 4 output pixels × 8 channels run directBlock over the packed
 * filter (src/backends/cpu/wasm/wasm-int8.ts, packInt8ConvFilter). Without pooling the blocks are 4
 * consecutive output pixels; with a poolHeight × poolWidth window (stride = window, 'valid') they are
 * the window's pixels (4 at a time, the last repeated to fill a block), and the window's maximum int32
 * sum is dequantized once: the dequantize (a positive scale), bias and relu are all non-decreasing, so
 * that is exactly the maximum of the dequantized outputs. Slot layout: the bordered image + 64 bytes
 * of slack (a run's last pair may read one value past it, times a zero weight).
 */
export function int8Conv2dChunk(chunk: i32, scratch: usize, params: usize): void {
  const x = <usize>word(params, P_X);
  const packed = <usize>word(params, P_PACKED);
  const weightScales = <usize>word(params, P_SCALES);
  const bias = <usize>word(params, P_BIAS);
  const out = <usize>word(params, P_OUT);
  const work = <usize>word(params, P_WORK);
  const batch = word(params, P_BATCH);
  const inHeight = word(params, P_IN_HEIGHT);
  const inWidth = word(params, P_IN_WIDTH);
  const channels = word(params, P_CHANNELS);
  const outHeight = word(params, P_OUT_HEIGHT);
  const outWidth = word(params, P_OUT_WIDTH);
  const filters = word(params, P_FILTERS);
  const filterHeight = word(params, P_FILTER_HEIGHT);
  const filterWidth = word(params, P_FILTER_WIDTH);
  const strideHeight = word(params, P_STRIDE_HEIGHT);
  const strideWidth = word(params, P_STRIDE_WIDTH);
  const dilationHeight = word(params, P_DILATION_HEIGHT);
  const dilationWidth = word(params, P_DILATION_WIDTH);
  const padTop = word(params, P_PAD_TOP);
  const padLeft = word(params, P_PAD_LEFT);
  const inputScale = reinterpret<f32>(word(params, P_INPUT_SCALE));
  const relu = (word(params, P_FLAGS) & RELU) != 0;
  const imagesPerChunk = word(params, P_IMAGES_PER_CHUNK);
  const slot = work + <usize>chunk * <usize>word(params, P_SLOT_BYTES);
  const poolHeight = word(params, P_POOL_HEIGHT);
  const poolWidth = word(params, P_POOL_WIDTH);

  const paddedHeight = (outHeight - 1) * strideHeight + (filterHeight - 1) * dilationHeight + 1;
  const paddedWidth = (outWidth - 1) * strideWidth + (filterWidth - 1) * dilationWidth + 1;
  const paddedRowBytes = <usize>(paddedWidth * channels) << 1;
  const paddedBytes = <usize>paddedHeight * paddedRowBytes;
  const copiedRows = min(inHeight, paddedHeight - padTop);
  const copiedValues = max(0, min(inWidth, paddedWidth - padLeft)) * channels;
  const imageLength = inHeight * inWidth * channels;
  // Without dilation in width a filter row's window is one run; with it, one run of channels per tap.
  const dilated = dilationWidth != 1;
  const runsPerRow = dilated ? filterWidth : 1;
  const pairsPerRun = ((dilated ? channels : filterWidth * channels) + 1) >> 1;
  const tapStep = <usize>(dilationWidth * channels) << 1;
  const groupPairs = (filters + 7) >> 3;
  const groupPairBytes = <usize>(filterHeight * runsPerRow * pairsPerRun) << 5;
  const rowStep = <usize>dilationHeight * paddedRowBytes;
  const pixelStep = <usize>(strideWidth * channels) << 1;
  const lineStep = <usize>strideHeight * paddedRowBytes;
  const pooledHeight = outHeight / poolHeight;
  const pooledWidth = outWidth / poolWidth;
  const windowPixels = poolHeight * poolWidth;
  const outPixels = pooledHeight * pooledWidth;
  const filterBytes = <usize>filters << 2;
  const sums = scratch;
  const imageStart = chunk * imagesPerChunk;
  const imageEnd = min(batch, imageStart + imagesPerChunk);
  for (let image = imageStart; image < imageEnd; image++) {
    const source = x + <usize>image * <usize>imageLength * 4;
    let scale: f32;
    let inverse: f32;
    if (inputScale > 0) {
      scale = inputScale;
      inverse = <f32>1 / inputScale;
    } else {
      const imageMaximum = absoluteMaximum(source, imageLength);
      scale = imageMaximum / <f32>127;
      inverse = <f32>127 / imageMaximum;
    }
    memory.fill(slot, 0, paddedBytes + 64);
    for (let iy = 0; iy < copiedRows; iy++) {
      quantizeValues(source + (<usize>(iy * inWidth * channels) << 2), slot + <usize>(iy + padTop) * paddedRowBytes + (<usize>(padLeft * channels) << 1),
        copiedValues, inverse);
    }
    const imageOut = out + <usize>image * <usize>outPixels * filterBytes;
    if (windowPixels == 1) {
      // 4 consecutive output pixels per block (a short last block repeats its last pixel); the
      // cursor (oy, ox) walks the pixels without divisions.
      const pixels = outHeight * outWidth;
      let oy = 0;
      let ox = 0;
      for (let first = 0; first < pixels; first += 4) {
        const count = min(4, pixels - first);
        const w0 = slot + <usize>oy * lineStep + <usize>ox * pixelStep;
        if (++ox == outWidth) { ox = 0; oy++; }
        const w1 = count > 1 ? slot + <usize>oy * lineStep + <usize>ox * pixelStep : w0;
        if (++ox == outWidth) { ox = 0; oy++; }
        const w2 = count > 2 ? slot + <usize>oy * lineStep + <usize>ox * pixelStep : w1;
        if (++ox == outWidth) { ox = 0; oy++; }
        const w3 = count > 3 ? slot + <usize>oy * lineStep + <usize>ox * pixelStep : w2;
        if (++ox == outWidth) { ox = 0; oy++; }
        for (let pair = 0; pair < groupPairs; pair++) {
          directBlock(w0, w1, w2, w3, packed + <usize>pair * groupPairBytes, filterHeight, runsPerRow, pairsPerRun, tapStep, rowStep, sums);
          const column = pair << 3;
          for (let k = 0; k < count; k++) {
            const outRow = imageOut + <usize>(first + k) * filterBytes;
            finishRow(outRow, v128.load(sums + (<usize>k << 5)), scale, weightScales, bias, column, filters, relu);
            if (column + 4 < filters) finishRow(outRow, v128.load(sums + (<usize>k << 5), 16), scale, weightScales, bias, column + 4, filters, relu);
          }
        }
      }
    } else {
      let outRow = imageOut;
      for (let py = 0; py < pooledHeight; py++) {
        for (let px = 0; px < pooledWidth; px++) {
          const window = slot + <usize>(py * poolHeight) * lineStep + <usize>(px * poolWidth) * pixelStep;
          for (let pair = 0; pair < groupPairs; pair++) {
            let best0 = i32x4.splat(i32.MIN_VALUE);
            let best1 = i32x4.splat(i32.MIN_VALUE);
            // The window's pixels 4 at a time (a short last block repeats its last pixel: the maximum
            // is unchanged), the cursor (wy, wx) walking the window row by row.
            let wy = 0;
            let wx = 0;
            for (let first = 0; first < windowPixels; first += 4) {
              const count = min(4, windowPixels - first);
              const w0 = window + <usize>wy * lineStep + <usize>wx * pixelStep;
              if (++wx == poolWidth) { wx = 0; wy++; }
              const w1 = count > 1 ? window + <usize>wy * lineStep + <usize>wx * pixelStep : w0;
              if (++wx == poolWidth) { wx = 0; wy++; }
              const w2 = count > 2 ? window + <usize>wy * lineStep + <usize>wx * pixelStep : w1;
              if (++wx == poolWidth) { wx = 0; wy++; }
              const w3 = count > 3 ? window + <usize>wy * lineStep + <usize>wx * pixelStep : w2;
              if (++wx == poolWidth) { wx = 0; wy++; }
              directBlock(w0, w1, w2, w3, packed + <usize>pair * groupPairBytes, filterHeight, runsPerRow, pairsPerRun, tapStep, rowStep, sums);
              best0 = i32x4.max_s(best0, i32x4.max_s(i32x4.max_s(v128.load(sums), v128.load(sums, 32)), i32x4.max_s(v128.load(sums, 64), v128.load(sums, 96))));
              best1 = i32x4.max_s(best1, i32x4.max_s(i32x4.max_s(v128.load(sums, 16), v128.load(sums, 48)), i32x4.max_s(v128.load(sums, 80), v128.load(sums, 112))));
            }
            const column = pair << 3;
            finishRow(outRow, best0, scale, weightScales, bias, column, filters, relu);
            if (column + 4 < filters) finishRow(outRow, best1, scale, weightScales, bias, column + 4, filters, relu);
          }
          outRow += filterBytes;
        }
      }
    }
  }
}
