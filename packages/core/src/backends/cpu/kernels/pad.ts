import type { TypedArray } from '../../../backend/backend.js';
import type { CpuTensor, KernelContext } from '../kernel-context.js';
import { sizeOfShape, stridesOf } from '../strides.js';

/**
 * Constant padding: fill the output with `value`, then copy x's rows into place. A dim with no
 * padding merges with the dim before it, so NHWC spatial padding copies whole W x C rows.
 */
export function pad(
  context: KernelContext, x: CpuTensor, paddings: ReadonlyArray<readonly [number, number]>, value: number,
): TypedArray {
  const outShape = x.shape.map((size, axis) => paddings[axis][0] + size + paddings[axis][1]);
  const out = context.allocate(sizeOfShape(outShape), x.dtype);
  out.fill(value);
  if (x.values.length === 0) return out;
  // Collapsed geometry: input extent, output extent and leading pad of each merged dim.
  const inShape: number[] = [];
  const paddedShape: number[] = [];
  const before: number[] = [];
  for (let axis = 0; axis < x.shape.length; axis++) {
    const last = inShape.length - 1;
    const [padBefore, padAfter] = paddings[axis];
    if (last >= 0 && padBefore === 0 && padAfter === 0) {
      inShape[last] *= x.shape[axis];
      paddedShape[last] *= x.shape[axis];
      before[last] *= x.shape[axis];
    } else {
      inShape.push(x.shape[axis]);
      paddedShape.push(outShape[axis]);
      before.push(padBefore);
    }
  }
  const rank = inShape.length;
  if (rank === 0) {
    out[0] = x.values[0];
    return out;
  }
  const outStrides = stridesOf(paddedShape);
  const count = inShape[rank - 1];
  const rows = x.values.length / count;
  let target = 0;
  for (let axis = 0; axis < rank; axis++) target += before[axis] * outStrides[axis];
  const counter = new Int32Array(rank);
  const values = x.values;
  for (let row = 0; row < rows; row++) {
    const source = row * count;
    for (let i = 0; i < count; i++) out[target + i] = values[source + i];
    for (let axis = rank - 2; axis >= 0; axis--) {
      counter[axis]++;
      target += outStrides[axis];
      if (counter[axis] < inShape[axis]) break;
      target -= outStrides[axis] * inShape[axis];
      counter[axis] = 0;
    }
  }
  return out;
}
