// Integer kernels for int8-quantized inference: out[m, n] = activation(dequantize(q(x)[m, k] · w[n, k]ᵀ) + bias[n]).
// Activations are quantized per row (or with one calibrated scale) to int8 values here; the weights
// arrive already quantized per output channel. Both are held sign-extended to i16 (one row of
// `paddedDepth` i16 per row/output), so the inner loop is a load and i32x4.dot_i16x8_s: 8 exact
// multiply-adds per instruction into int32 sums, against 4 per f32x4 multiply + add on the float
// path, with no widening in the loop (widening int8 there cost more than the dot products).
// Must give the same bits as the TypeScript reference in src/backends/cpu/kernels/int8-linear.ts.

/** Depth rounded up to whole 8-lane i16 vectors; the padding values are zero on both sides. */
// @ts-ignore: decorator
@inline export function int8PaddedDepth(depth: i32): i32 {
  return (depth + 7) & ~7;
}

/** The smallest row maximum used for a scale, so an all-zero row quantizes to zeros, not NaN. */
const MIN_ROW_MAXIMUM: f32 = 1e-30;
const RELU: i32 = 1;

/** Quantizes row `x` (depth floats) into `q` (paddedDepth i16) and returns its scale. */
function quantizeRow(x: usize, q: usize, depth: i32, paddedDepth: i32, fixedScale: f32): f32 {
  let scale: f32;
  let inverse: f32;
  if (fixedScale > 0) {
    scale = fixedScale;
    inverse = <f32>1 / fixedScale;
  } else {
    let maximum = f32x4.splat(0);
    let i = 0;
    // pmax (one maxps) rather than max (NaN-propagating, several instructions): NaN is skipped.
    for (; i + 4 <= depth; i += 4) maximum = f32x4.pmax(maximum, f32x4.abs(v128.load(x + (<usize>i << 2))));
    let rowMaximum = max(max(f32x4.extract_lane(maximum, 0), f32x4.extract_lane(maximum, 1)), max(f32x4.extract_lane(maximum, 2), f32x4.extract_lane(maximum, 3)));
    for (; i < depth; i++) {
      const magnitude = abs(load<f32>(x + (<usize>i << 2)));
      if (magnitude > rowMaximum) rowMaximum = magnitude;
    }
    rowMaximum = max(rowMaximum, MIN_ROW_MAXIMUM);
    scale = rowMaximum / <f32>127;
    inverse = <f32>127 / rowMaximum;
  }
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
  for (; i + 8 <= depth; i += 8) {
    const base = x + (<usize>i << 2);
    const v0 = f32x4.pmin(high, f32x4.pmax(low, f32x4.floor(f32x4.add(f32x4.mul(v128.load(base), inverseVector), half))));
    const v1 = f32x4.pmin(high, f32x4.pmax(low, f32x4.floor(f32x4.add(f32x4.mul(v128.load(base, 16), inverseVector), half))));
    const q0 = i32x4.sub(f32x4.add(v0, magic), magicBits);
    const q1 = i32x4.sub(f32x4.add(v1, magic), magicBits);
    v128.store(q + (<usize>i << 1), i16x8.narrow_i32x4_s(q0, q1));
  }
  for (; i < depth; i++) {
    const value = Mathf.floor(load<f32>(x + (<usize>i << 2)) * inverse + <f32>0.5);
    store<i16>(q + (<usize>i << 1), <i16>(value >= -127 ? (value <= 127 ? <i32>value : 127) : -127));
  }
  for (; i < paddedDepth; i++) store<i16>(q + (<usize>i << 1), 0);
  return scale;
}

// @ts-ignore: decorator
@inline function horizontalSum(v: v128): i32 {
  return i32x4.extract_lane(v, 0) + i32x4.extract_lane(v, 1) + i32x4.extract_lane(v, 2) + i32x4.extract_lane(v, 3);
}

/** The int32 dot product of two i16 rows of paddedDepth values. */
function dotRow(a: usize, b: usize, paddedDepth: i32): i32 {
  let accumulator = i32x4.splat(0);
  for (let i = 0; i < paddedDepth; i += 8) {
    const offset = <usize>i << 1;
    accumulator = i32x4.add(accumulator, i32x4.dot_i16x8_s(v128.load(a + offset), v128.load(b + offset)));
  }
  return horizontalSum(accumulator);
}

// @ts-ignore: decorator
@inline function finish(out: usize, sum: i32, rowScale: f32, weightScales: usize, bias: usize, column: i32, relu: bool): void {
  let value = <f32>sum * (rowScale * load<f32>(weightScales + (<usize>column << 2)));
  if (bias != 0) value += load<f32>(bias + (<usize>column << 2));
  if (relu) value = max<f32>(value, 0);
  store<f32>(out + (<usize>column << 2), value);
}

/**
 * One chunk of an int8 linear layer: rows [chunk·rowsPerChunk, +rowsPerChunk) of x [m, depth] are
 * quantized into `work` (m × paddedDepth i16, then m row scales as f32) and multiplied with the
 * int8-valued i16 weights [n, paddedDepth]; each int32 sum is scaled by rowScale · weightScales[column], plus
 * bias (0 = none), then relu when `flags` & 1. `inputScale` > 0 fixes the activation scale
 * (calibrated); 0 takes each row's own (dynamic).
 */
export function int8LinearChunk(
  chunk: i32, scratch: usize, x: usize, weights: usize, weightScales: usize, bias: usize, out: usize, work: usize,
  m: i32, n: i32, depth: i32, inputScale: f32, flags: i32, rowsPerChunk: i32,
): void {
  const paddedDepth = int8PaddedDepth(depth);
  const rowBytes = <usize>paddedDepth << 1;
  const rowScales = work + <usize>m * rowBytes;
  const rowStart = chunk * rowsPerChunk;
  const rowEnd = min(m, rowStart + rowsPerChunk);
  const relu = (flags & RELU) != 0;
  for (let row = rowStart; row < rowEnd; row++) {
    const scale = quantizeRow(x + <usize>row * <usize>depth * 4, work + <usize>row * rowBytes, depth, paddedDepth, inputScale);
    store<f32>(rowScales + (<usize>row << 2), scale);
  }
  // Four weight rows (4 x paddedDepth i16, a few KiB) stay in L1 while every row pair of the chunk
  // streams past them: rows inner, columns outer halves the traffic from L2 of the other order.
  const pairEnd = rowStart + ((rowEnd - rowStart) & ~1);
  let column = 0;
  for (; column + 4 <= n; column += 4) {
    for (let row = rowStart; row < pairEnd; row += 2) {
      tile2x4(work + <usize>row * rowBytes, rowBytes, weights + <usize>column * rowBytes, paddedDepth,
        out + (<usize>row * <usize>n + <usize>column) * 4, <usize>n * 4, rowScales + (<usize>row << 2), weightScales, bias, column, relu);
    }
  }
  for (; column < n; column++) {
    const b = weights + <usize>column * rowBytes;
    for (let row = rowStart; row < pairEnd; row++) {
      const scale = load<f32>(rowScales + (<usize>row << 2));
      finish(out + <usize>row * <usize>n * 4, dotRow(work + <usize>row * rowBytes, b, paddedDepth), scale, weightScales, bias, column, relu);
    }
  }
  if (pairEnd < rowEnd) {
    const a = work + <usize>pairEnd * rowBytes;
    const scale = load<f32>(rowScales + (<usize>pairEnd << 2));
    const outRow = out + <usize>pairEnd * <usize>n * 4;
    for (let c = 0; c < n; c++) finish(outRow, dotRow(a, weights + <usize>c * rowBytes, paddedDepth), scale, weightScales, bias, c, relu);
  }
}

/**
 * Two rows (a0, a0 + rowBytes) by four columns (b0 and the next three weight rows): 8 accumulators,
 * each loaded vector feeding 4 or 2 dot products. `out0` points at [row, column], `outStride` bytes
 * to the next row.
 */
// @ts-ignore: decorator
@inline function tile2x4(
  a0: usize, rowBytes: usize, b0: usize, paddedDepth: i32, out0: usize, outStride: usize, rowScales: usize,
  weightScales: usize, bias: usize, column: i32, relu: bool,
): void {
  const a1 = a0 + rowBytes;
  const b1 = b0 + rowBytes;
  const b2 = b1 + rowBytes;
  const b3 = b2 + rowBytes;
  let c00 = i32x4.splat(0), c01 = i32x4.splat(0), c02 = i32x4.splat(0), c03 = i32x4.splat(0);
  let c10 = i32x4.splat(0), c11 = i32x4.splat(0), c12 = i32x4.splat(0), c13 = i32x4.splat(0);
  for (let i = 0; i < paddedDepth; i += 8) {
    const offset = <usize>i << 1;
    const va0 = v128.load(a0 + offset);
    const va1 = v128.load(a1 + offset);
    let vb = v128.load(b0 + offset);
    c00 = i32x4.add(c00, i32x4.dot_i16x8_s(va0, vb));
    c10 = i32x4.add(c10, i32x4.dot_i16x8_s(va1, vb));
    vb = v128.load(b1 + offset);
    c01 = i32x4.add(c01, i32x4.dot_i16x8_s(va0, vb));
    c11 = i32x4.add(c11, i32x4.dot_i16x8_s(va1, vb));
    vb = v128.load(b2 + offset);
    c02 = i32x4.add(c02, i32x4.dot_i16x8_s(va0, vb));
    c12 = i32x4.add(c12, i32x4.dot_i16x8_s(va1, vb));
    vb = v128.load(b3 + offset);
    c03 = i32x4.add(c03, i32x4.dot_i16x8_s(va0, vb));
    c13 = i32x4.add(c13, i32x4.dot_i16x8_s(va1, vb));
  }
  // finish() indexes by column from a row's start: step the row pointers back by `column` floats.
  const row0 = out0 - (<usize>column << 2);
  const row1 = row0 + outStride;
  const scale0 = load<f32>(rowScales);
  const scale1 = load<f32>(rowScales, 4);
  finish(row0, horizontalSum(c00), scale0, weightScales, bias, column, relu);
  finish(row0, horizontalSum(c01), scale0, weightScales, bias, column + 1, relu);
  finish(row0, horizontalSum(c02), scale0, weightScales, bias, column + 2, relu);
  finish(row0, horizontalSum(c03), scale0, weightScales, bias, column + 3, relu);
  finish(row1, horizontalSum(c10), scale1, weightScales, bias, column, relu);
  finish(row1, horizontalSum(c11), scale1, weightScales, bias, column + 1, relu);
  finish(row1, horizontalSum(c12), scale1, weightScales, bias, column + 2, relu);
  finish(row1, horizontalSum(c13), scale1, weightScales, bias, column + 3, relu);
}
