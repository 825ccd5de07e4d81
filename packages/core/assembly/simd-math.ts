// Vectorised transcendental functions for the kernels, accurate to a few float32 ulps.
// exp follows Cephes expf (range reduction by ln 2, degree-6 polynomial); tanh uses Cephes' odd
// polynomial near zero, where 1 - 2/(e^2x + 1) would cancel, and the exp form elsewhere.

const LOG2E: f32 = 1.44269504088896341;
const LN2_HIGH: f32 = 0.693359375;
const LN2_LOW: f32 = -2.12194440e-4;
// Below -104 the result rounds to 0 and above 89 to +Infinity; clamping keeps the integer exponent in range.
const EXP_MIN: f32 = -104.0;
const EXP_MAX: f32 = 89.0;

/** 2^n for integer lanes n in [-75, 64] (built directly in the exponent field). */
// @ts-ignore: decorator
@inline function powerOfTwo(n: v128): v128 {
  return i32x4.shl(i32x4.add(n, i32x4.splat(127)), 23);
}

/** e^x per lane; NaN stays NaN, -Infinity gives 0 and results below 2^-126 are subnormal as in float32. */
// @ts-ignore: decorator
@inline export function expVector(input: v128): v128 {
  const x = f32x4.max(f32x4.min(input, f32x4.splat(EXP_MAX)), f32x4.splat(EXP_MIN));
  const nFloat = f32x4.floor(f32x4.add(f32x4.mul(x, f32x4.splat(LOG2E)), f32x4.splat(0.5)));
  // Two-step reduction keeps r = x - n ln2 exact to float32 precision.
  let r = f32x4.sub(x, f32x4.mul(nFloat, f32x4.splat(LN2_HIGH)));
  r = f32x4.sub(r, f32x4.mul(nFloat, f32x4.splat(LN2_LOW)));
  let p = f32x4.splat(1.9875691500e-4);
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(1.3981999507e-3));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(8.3334519073e-3));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(4.1665795894e-2));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(1.6666665459e-1));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(5.0000001201e-1));
  const r2 = f32x4.mul(r, r);
  const expR = f32x4.add(f32x4.add(f32x4.mul(p, r2), r), f32x4.splat(1.0));
  // Scale by 2^n in two halves so that neither factor overflows and subnormal results round once.
  const n = i32x4.trunc_sat_f32x4_s(nFloat);
  const half = i32x4.shr_s(n, 1);
  return f32x4.mul(f32x4.mul(expR, powerOfTwo(half)), powerOfTwo(i32x4.sub(n, half)));
}

/**
 * The logistic function per lane, as the reference computes it: 1 / (1 + e^-x) for x >= 0 and
 * e^x / (1 + e^x) below, so exp never overflows and tiny results keep their relative accuracy.
 */
// @ts-ignore: decorator
@inline export function sigmoidVector(x: v128): v128 {
  const e = expVector(f32x4.neg(f32x4.abs(x)));
  const positive = f32x4.div(f32x4.splat(1.0), f32x4.add(f32x4.splat(1.0), e));
  return v128.bitselect(positive, f32x4.mul(e, positive), f32x4.ge(x, f32x4.splat(0.0)));
}

/** max(x, 0) as the reference writes it (`x < 0 ? 0 : x`): NaN and -0 pass through unchanged. */
// @ts-ignore: decorator
@inline export function reluVector(x: v128): v128 {
  return v128.andnot(x, f32x4.lt(x, f32x4.splat(0.0)));
}

/** tanh(x) per lane, odd and accurate near zero. */
// @ts-ignore: decorator
@inline export function tanhVector(x: v128): v128 {
  const magnitude = f32x4.abs(x);
  // Far from zero: 1 - 2 / (e^{2|x|} + 1), with the sign of x copied back.
  const e = expVector(f32x4.add(magnitude, magnitude));
  const far = f32x4.sub(f32x4.splat(1.0), f32x4.div(f32x4.splat(2.0), f32x4.add(e, f32x4.splat(1.0))));
  const signBit = v128.and(x, i32x4.splat(0x80000000));
  const farSigned = v128.or(far, signBit);
  // Near zero: x + x^3 P(x^2).
  const z = f32x4.mul(x, x);
  let p = f32x4.splat(-5.70498872745e-3);
  p = f32x4.add(f32x4.mul(p, z), f32x4.splat(2.06390887954e-2));
  p = f32x4.add(f32x4.mul(p, z), f32x4.splat(-5.37397155531e-2));
  p = f32x4.add(f32x4.mul(p, z), f32x4.splat(1.33314422036e-1));
  p = f32x4.add(f32x4.mul(p, z), f32x4.splat(-3.33332819422e-1));
  const near = f32x4.add(f32x4.mul(f32x4.mul(p, z), x), x);
  const useNear = f32x4.lt(magnitude, f32x4.splat(0.625));
  // NaN fails the comparison and flows through the far branch, which keeps it NaN.
  return v128.bitselect(near, farSigned, useNear);
}

/** The fused activations, by code: 0 linear, 1 relu, 2 sigmoid, 3 tanh. */
// @ts-ignore: decorator
@inline export function activateVector(x: v128, activation: i32): v128 {
  if (activation == 1) return reluVector(x);
  if (activation == 2) return sigmoidVector(x);
  if (activation == 3) return tanhVector(x);
  return x;
}
