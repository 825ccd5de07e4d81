// The multiply-accumulate of the matmul and conv micro-kernels, compiled two ways by
// scripts/build-wasm.mjs: with `--enable relaxed-simd` it is one `f32x4.relaxed_madd` (a fused
// multiply-add on hardware with FMA: one instruction instead of two, rounded once), otherwise the
// SIMD128 pair `f32x4.mul` + `f32x4.add`. ASC_FEATURE_RELAXED_SIMD is a compile-time constant, so
// each build holds only its own branch.

/** acc + a * b on four float32 lanes. */
// @ts-ignore: decorator
@inline export function multiplyAdd(a: v128, b: v128, acc: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(a, b, acc);
  return f32x4.add(acc, f32x4.mul(a, b));
}
