import type { TypedArray } from '../../../backend/backend.js';
import type { CpuTensor, KernelContext } from '../kernel-context.js';
import { productOfRange, sizeOfShape } from '../strides.js';
import { checkIndices } from './gather.js';

/**
 * The adjoint of gather: zeros of `outShape`, then out[o, indices[j], i] += updates[o, j, i]
 * (repeated indices accumulate).
 */
export function scatterAdd(
  context: KernelContext, updates: CpuTensor, indices: CpuTensor, axis: number, outShape: readonly number[],
): TypedArray {
  const size = outShape[axis];
  const outer = productOfRange(outShape, 0, axis);
  const inner = productOfRange(outShape, axis + 1, outShape.length);
  const picks = indices.values;
  checkIndices('scatterAdd', picks, size, axis);
  const count = picks.length;
  const out = context.allocateZeroed(sizeOfShape(outShape), updates.dtype);
  const values = updates.values;
  for (let o = 0; o < outer; o++) {
    for (let j = 0; j < count; j++) {
      const target = (o * size + picks[j]) * inner;
      const source = (o * count + j) * inner;
      for (let i = 0; i < inner; i++) out[target + i] += values[source + i];
    }
  }
  return out;
}
