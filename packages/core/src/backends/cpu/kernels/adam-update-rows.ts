import type { AdamHyperparameters } from '../../../backend/backend.js';
import type { CpuFloatTensor, CpuTensor, KernelContext } from '../kernel-context.js';
import { adamSpan } from './adam-update.js';

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
  for (let j = 0; j < picks.length; j++) {
    adamSpan(nextP, rowGradients.values, nextM, nextV, nextP, nextM, nextV, picks[j] * width, j * width, width, hyper);
  }
  return [nextP, nextM, nextV];
}
