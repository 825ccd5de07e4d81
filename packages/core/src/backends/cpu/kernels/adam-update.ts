import type { AdamHyperparameters } from '../../../backend/backend.js';
import type { CpuFloatTensor, KernelContext } from '../kernel-context.js';

/**
 * The fused Adam step: one pass over the parameter, reading four arrays and writing three (the
 * accelerator's kernel when it takes the call, with the same bits).
 */
export function adamUpdate(
  context: KernelContext, param: CpuFloatTensor, gradient: CpuFloatTensor, firstMoment: CpuFloatTensor,
  secondMoment: CpuFloatTensor, hyper: AdamHyperparameters,
): [Float32Array, Float32Array, Float32Array] {
  const n = param.values.length;
  const p = param.values;
  const g = gradient.values;
  const m = firstMoment.values;
  const v = secondMoment.values;
  const nextP = context.allocateFloat32(n);
  const nextM = context.allocateFloat32(n);
  const nextV = context.allocateFloat32(n);
  if (context.accelerator?.adamUpdate?.(p, g, m, v, nextP, nextM, nextV, hyper)) return [nextP, nextM, nextV];
  adamSpan(p, g, m, v, nextP, nextM, nextV, 0, 0, n, hyper);
  return [nextP, nextM, nextV];
}

/**
 * The Adam step on `count` elements: parameter and moments from `at`, gradient from `gradientAt`,
 * results written at `at` (the outputs may be the inputs: each element is read before it is written).
 */
export function adamSpan(
  p: Float32Array, g: Float32Array, m: Float32Array, v: Float32Array, nextP: Float32Array, nextM: Float32Array, nextV: Float32Array,
  at: number, gradientAt: number, count: number, hyper: AdamHyperparameters,
): void {
  const { stepSize, beta1, beta2, epsilon } = hyper;
  const keep1 = 1 - beta1;
  const keep2 = 1 - beta2;
  for (let k = 0; k < count; k++) {
    const i = at + k;
    const gi = g[gradientAt + k];
    const mi = beta1 * m[i] + keep1 * gi;
    const vi = beta2 * v[i] + keep2 * gi * gi;
    nextM[i] = mi;
    nextV[i] = vi;
    nextP[i] = p[i] - (stepSize * mi) / (Math.sqrt(vi) + epsilon);
  }
}
