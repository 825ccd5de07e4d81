import type { AdamHyperparameters } from '../../../backend/backend.js';
import type { CpuFloatTensor, CpuTensor, KernelContext } from '../kernel-context.js';

/**
 * Adam on some rows: copies of the parameter and both moments (or, with `inPlace`, the buffers
 * themselves), then the fused Adam step on each listed row (distinct, checked by the op) with its
 * gradient row. The other rows are left unchanged.
 */
export function adamUpdateRows(
  context: KernelContext, param: CpuFloatTensor, rowGradients: CpuFloatTensor, rows: CpuTensor, firstMoment: CpuFloatTensor,
  secondMoment: CpuFloatTensor, hyper: AdamHyperparameters, inPlace = false,
): [Float32Array, Float32Array, Float32Array] {
  const copy = (values: Float32Array) => {
    if (inPlace) return values;
    const out = context.allocateFloat32(values.length);
    out.set(values);
    return out;
  };
  const nextP = copy(param.values);
  const nextM = copy(firstMoment.values);
  const nextV = copy(secondMoment.values);
  const picks = rows.values;
  const width = picks.length === 0 ? 0 : rowGradients.values.length / picks.length;
  const g = rowGradients.values;
  const { stepSize, beta1, beta2, epsilon } = hyper;
  const keep1 = 1 - beta1;
  const keep2 = 1 - beta2;
  for (let j = 0; j < picks.length; j++) {
    const base = picks[j] * width;
    const source = j * width;
    for (let k = 0; k < width; k++) {
      const i = base + k;
      const gi = g[source + k];
      const mi = beta1 * nextM[i] + keep1 * gi;
      const vi = beta2 * nextV[i] + keep2 * gi * gi;
      nextM[i] = mi;
      nextV[i] = vi;
      nextP[i] = nextP[i] - (stepSize * mi) / (Math.sqrt(vi) + epsilon);
    }
  }
  return [nextP, nextM, nextV];
}
