// Integer kernels for int8-quantized inference: out[m, n] = activation(dequantize(q(x)[m, k] · w[n, k]ᵀ) + bias[n]).
// Activations are quantized per row (or with one calibrated scale) to int8 here; the weights arrive
// already quantized per output channel, one int8 row of `paddedDepth` bytes per output. The dot
// products sign-extend 16 int8 values to two i16x8 halves and use i32x4.dot_i16x8_s: 8 multiply-adds
// per instruction into exact int32 sums, against 4 per f32x4 multiply + add on the float path.
// Must give the same bits as the TypeScript reference in src/backends/cpu/kernels/int8-linear.ts.

/** Depth rounded up to whole 16-byte vectors; the padding bytes are zero on both sides. */
// @ts-ignore: decorator
@inline export function int8PaddedDepth(depth: i32): i32 {
  return (depth + 15) & ~15;
}

/** The smallest row maximum used for a scale, so an all-zero row quantizes to zeros, not NaN. */
const MIN_ROW_MAXIMUM: f32 = 1e-30;
const RELU: i32 = 1;

/** Quantizes row `x` (depth floats) into `q` (paddedDepth bytes) and returns its scale. */
function quantizeRow(x: usize, q: usize, depth: i32, paddedDepth: i32, fixedScale: f32): f32 {
  let scale: f32;
  let inverse: f32;
  if (fixedScale > 0) {
    scale = fixedScale;
    inverse = <f32>1 / fixedScale;
  } else {
    let maximum = f32x4.splat(0);
    let i = 0;
    for (; i + 4 <= depth; i += 4) maximum = f32x4.max(maximum, f32x4.abs(v128.load(x + (<usize>i << 2))));
    let rowMaximum = max(max(f32x4.extract_lane(maximum, 0), f32x4.extract_lane(maximum, 1)), max(f32x4.extract_lane(maximum, 2), f32x4.extract_lane(maximum, 3)));
    for (; i < depth; i++) rowMaximum = max(rowMaximum, abs(load<f32>(x + (<usize>i << 2))));
    rowMaximum = max(rowMaximum, MIN_ROW_MAXIMUM);
    scale = rowMaximum / <f32>127;
    inverse = <f32>127 / rowMaximum;
  }
  const inverseVector = f32x4.splat(inverse);
  const half = f32x4.splat(0.5);
  const low = f32x4.splat(-127);
  const high = f32x4.splat(127);
  let i = 0;
  for (; i + 16 <= depth; i += 16) {
    const base = x + (<usize>i << 2);
    const q0 = i32x4.trunc_sat_f32x4_s(f32x4.min(high, f32x4.max(low, f32x4.floor(f32x4.add(f32x4.mul(v128.load(base), inverseVector), half)))));
    const q1 = i32x4.trunc_sat_f32x4_s(f32x4.min(high, f32x4.max(low, f32x4.floor(f32x4.add(f32x4.mul(v128.load(base, 16), inverseVector), half)))));
    const q2 = i32x4.trunc_sat_f32x4_s(f32x4.min(high, f32x4.max(low, f32x4.floor(f32x4.add(f32x4.mul(v128.load(base, 32), inverseVector), half)))));
    const q3 = i32x4.trunc_sat_f32x4_s(f32x4.min(high, f32x4.max(low, f32x4.floor(f32x4.add(f32x4.mul(v128.load(base, 48), inverseVector), half)))));
    v128.store(q + <usize>i, i8x16.narrow_i16x8_s(i16x8.narrow_i32x4_s(q0, q1), i16x8.narrow_i32x4_s(q2, q3)));
  }
  for (; i < depth; i++) {
    const value = min<f32>(127, max<f32>(-127, Mathf.floor(load<f32>(x + (<usize>i << 2)) * inverse + <f32>0.5)));
    store<i8>(q + <usize>i, <i8><i32>value);
  }
  for (; i < paddedDepth; i++) store<i8>(q + <usize>i, 0);
  return scale;
}

// @ts-ignore: decorator
@inline function horizontalSum(v: v128): i32 {
  return i32x4.extract_lane(v, 0) + i32x4.extract_lane(v, 1) + i32x4.extract_lane(v, 2) + i32x4.extract_lane(v, 3);
}

// @ts-ignore: decorator
@inline function dotStep(accumulator: v128, aLow: v128, aHigh: v128, bLow: v128, bHigh: v128): v128 {
  return i32x4.add(accumulator, i32x4.add(i32x4.dot_i16x8_s(aLow, bLow), i32x4.dot_i16x8_s(aHigh, bHigh)));
}

/** The int32 dot product of two int8 rows of paddedDepth bytes. */
function dotRow(a: usize, b: usize, paddedDepth: i32): i32 {
  let accumulator = i32x4.splat(0);
  for (let i = 0; i < paddedDepth; i += 16) {
    const av = v128.load(a + <usize>i);
    const bv = v128.load(b + <usize>i);
    accumulator = dotStep(accumulator, i16x8.extend_low_i8x16_s(av), i16x8.extend_high_i8x16_s(av), i16x8.extend_low_i8x16_s(bv), i16x8.extend_high_i8x16_s(bv));
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
 * quantized into `work` (m × paddedDepth bytes, then m row scales as f32) and multiplied with the
 * int8 weights [n, paddedDepth]; each int32 sum is scaled by rowScale · weightScales[column], plus
 * bias (0 = none), then relu when `flags` & 1. `inputScale` > 0 fixes the activation scale
 * (calibrated); 0 takes each row's own (dynamic).
 */
export function int8LinearChunk(
  chunk: i32, scratch: usize, x: usize, weights: usize, weightScales: usize, bias: usize, out: usize, work: usize,
  m: i32, n: i32, depth: i32, inputScale: f32, flags: i32, rowsPerChunk: i32,
): void {
  const paddedDepth = int8PaddedDepth(depth);
  const rowScales = work + <usize>m * <usize>paddedDepth;
  const rowStart = chunk * rowsPerChunk;
  const rowEnd = min(m, rowStart + rowsPerChunk);
  const relu = (flags & RELU) != 0;
  for (let row = rowStart; row < rowEnd; row++) {
    const scale = quantizeRow(x + <usize>row * <usize>depth * 4, work + <usize>row * <usize>paddedDepth, depth, paddedDepth, inputScale);
    store<f32>(rowScales + (<usize>row << 2), scale);
  }
  let row = rowStart;
  // Two rows by four columns at a time: 8 accumulators, and each loaded vector feeds 4 or 2 dot products.
  for (; row + 2 <= rowEnd; row += 2) {
    const a0 = work + <usize>row * <usize>paddedDepth;
    const a1 = a0 + <usize>paddedDepth;
    const scale0 = load<f32>(rowScales + (<usize>row << 2));
    const scale1 = load<f32>(rowScales + (<usize>(row + 1) << 2));
    const out0 = out + <usize>row * <usize>n * 4;
    const out1 = out0 + <usize>n * 4;
    let column = 0;
    for (; column + 4 <= n; column += 4) {
      const b0 = weights + <usize>column * <usize>paddedDepth;
      const b1 = b0 + <usize>paddedDepth;
      const b2 = b1 + <usize>paddedDepth;
      const b3 = b2 + <usize>paddedDepth;
      let c00 = i32x4.splat(0), c01 = i32x4.splat(0), c02 = i32x4.splat(0), c03 = i32x4.splat(0);
      let c10 = i32x4.splat(0), c11 = i32x4.splat(0), c12 = i32x4.splat(0), c13 = i32x4.splat(0);
      for (let i = 0; i < paddedDepth; i += 16) {
        const offset = <usize>i;
        const va0 = v128.load(a0 + offset);
        const va1 = v128.load(a1 + offset);
        const a0Low = i16x8.extend_low_i8x16_s(va0);
        const a0High = i16x8.extend_high_i8x16_s(va0);
        const a1Low = i16x8.extend_low_i8x16_s(va1);
        const a1High = i16x8.extend_high_i8x16_s(va1);
        let vb = v128.load(b0 + offset);
        let bLow = i16x8.extend_low_i8x16_s(vb);
        let bHigh = i16x8.extend_high_i8x16_s(vb);
        c00 = dotStep(c00, a0Low, a0High, bLow, bHigh);
        c10 = dotStep(c10, a1Low, a1High, bLow, bHigh);
        vb = v128.load(b1 + offset);
        bLow = i16x8.extend_low_i8x16_s(vb);
        bHigh = i16x8.extend_high_i8x16_s(vb);
        c01 = dotStep(c01, a0Low, a0High, bLow, bHigh);
        c11 = dotStep(c11, a1Low, a1High, bLow, bHigh);
        vb = v128.load(b2 + offset);
        bLow = i16x8.extend_low_i8x16_s(vb);
        bHigh = i16x8.extend_high_i8x16_s(vb);
        c02 = dotStep(c02, a0Low, a0High, bLow, bHigh);
        c12 = dotStep(c12, a1Low, a1High, bLow, bHigh);
        vb = v128.load(b3 + offset);
        bLow = i16x8.extend_low_i8x16_s(vb);
        bHigh = i16x8.extend_high_i8x16_s(vb);
        c03 = dotStep(c03, a0Low, a0High, bLow, bHigh);
        c13 = dotStep(c13, a1Low, a1High, bLow, bHigh);
      }
      finish(out0, horizontalSum(c00), scale0, weightScales, bias, column, relu);
      finish(out0, horizontalSum(c01), scale0, weightScales, bias, column + 1, relu);
      finish(out0, horizontalSum(c02), scale0, weightScales, bias, column + 2, relu);
      finish(out0, horizontalSum(c03), scale0, weightScales, bias, column + 3, relu);
      finish(out1, horizontalSum(c10), scale1, weightScales, bias, column, relu);
      finish(out1, horizontalSum(c11), scale1, weightScales, bias, column + 1, relu);
      finish(out1, horizontalSum(c12), scale1, weightScales, bias, column + 2, relu);
      finish(out1, horizontalSum(c13), scale1, weightScales, bias, column + 3, relu);
    }
    for (; column < n; column++) {
      const b = weights + <usize>column * <usize>paddedDepth;
      finish(out0, dotRow(a0, b, paddedDepth), scale0, weightScales, bias, column, relu);
      finish(out1, dotRow(a1, b, paddedDepth), scale1, weightScales, bias, column, relu);
    }
  }
  for (; row < rowEnd; row++) {
    const a = work + <usize>row * <usize>paddedDepth;
    const scale = load<f32>(rowScales + (<usize>row << 2));
    const outRow = out + <usize>row * <usize>n * 4;
    for (let column = 0; column < n; column++) {
      finish(outRow, dotRow(a, weights + <usize>column * <usize>paddedDepth, paddedDepth), scale, weightScales, bias, column, relu);
    }
  }
}
