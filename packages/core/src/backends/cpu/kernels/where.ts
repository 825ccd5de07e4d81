import type { TypedArray } from '../../../backend/backend.js';
import { collapseBroadcast, forEachRow } from '../broadcast.js';
import type { CpuTensor, KernelContext } from '../kernel-context.js';
import { sizeOfShape } from '../strides.js';

/** `condition != 0 ? a : b` with all three broadcast to `outShape`; the output has a's dtype. */
export function where(
  context: KernelContext, condition: CpuTensor, a: CpuTensor, b: CpuTensor, outShape: readonly number[],
): TypedArray {
  const out = context.allocate(sizeOfShape(outShape), a.dtype);
  const layout = collapseBroadcast(outShape, [condition.shape, a.shape, b.shape]);
  const rank = layout.shape.length;
  const count = layout.shape[rank - 1];
  const conditionStride = layout.strides[0][rank - 1];
  const aStride = layout.strides[1][rank - 1];
  const bStride = layout.strides[2][rank - 1];
  const conditionValues = condition.values;
  const aValues = a.values;
  const bValues = b.values;
  forEachRow(layout, (row, offsets) => {
    let ci = offsets[0];
    let ai = offsets[1];
    let bi = offsets[2];
    const o = row * count;
    for (let i = 0; i < count; i++, ci += conditionStride, ai += aStride, bi += bStride) {
      out[o + i] = conditionValues[ci] !== 0 ? aValues[ai] : bValues[bi];
    }
  });
  return out;
}
