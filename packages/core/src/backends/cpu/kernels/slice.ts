import type { TypedArray } from '../../../backend/backend.js';
import type { CpuTensor, KernelContext } from '../kernel-context.js';
import { sizeOfShape, stridesOf } from '../strides.js';

/** Runs shorter than this are copied by a loop; longer ones by `TypedArray.set`. */
const SET_MIN_LENGTH = 32;

/**
 * Copy the box at `begin` with extent `size`. A dim taken whole merges with the dim before it,
 * so the copy proceeds in the longest contiguous runs the box allows.
 */
export function slice(
  context: KernelContext, x: CpuTensor, begin: readonly number[], size: readonly number[],
): TypedArray {
  const out = context.allocate(sizeOfShape(size), x.dtype);
  if (out.length === 0) return out;
  const shape: number[] = [];
  const starts: number[] = [];
  const extents: number[] = [];
  for (let axis = 0; axis < x.shape.length; axis++) {
    const last = shape.length - 1;
    if (last >= 0 && size[axis] === x.shape[axis]) {
      shape[last] *= x.shape[axis];
      starts[last] *= x.shape[axis];
      extents[last] *= x.shape[axis];
    } else {
      shape.push(x.shape[axis]);
      starts.push(begin[axis]);
      extents.push(size[axis]);
    }
  }
  copyBox(x.values, shape, starts, extents, out, 0);
  return out;
}

/**
 * Copy the box (`starts`, `extents`) of a row-major `shape` from `source` into `target` at
 * `targetOffset`, where it is stored row-major and contiguous.
 */
function copyBox(
  source: TypedArray, shape: readonly number[], starts: readonly number[], extents: readonly number[],
  target: TypedArray, targetOffset: number,
): void {
  const rank = shape.length;
  if (rank === 0) {
    target[targetOffset] = source[0];
    return;
  }
  const strides = stridesOf(shape);
  const count = extents[rank - 1];
  let rows = 1;
  for (let axis = 0; axis < rank - 1; axis++) rows *= extents[axis];
  let sourceOffset = 0;
  for (let axis = 0; axis < rank; axis++) sourceOffset += starts[axis] * strides[axis];
  const counter = new Int32Array(rank);
  for (let row = 0; row < rows; row++) {
    const o = targetOffset + row * count;
    if (count >= SET_MIN_LENGTH) target.set(source.subarray(sourceOffset, sourceOffset + count), o);
    else for (let i = 0; i < count; i++) target[o + i] = source[sourceOffset + i];
    for (let axis = rank - 2; axis >= 0; axis--) {
      counter[axis]++;
      sourceOffset += strides[axis];
      if (counter[axis] < extents[axis]) break;
      sourceOffset -= strides[axis] * extents[axis];
      counter[axis] = 0;
    }
  }
}
