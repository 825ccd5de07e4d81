import type { DType, TypedArray } from '../../../backend/backend.js';
import type { KernelContext } from '../kernel-context.js';
import { sizeOfShape } from '../strides.js';

/** A new tensor of `shape` filled with `value` (truncated toward zero for int32). */
export function fill(context: KernelContext, shape: readonly number[], value: number, dtype: DType): TypedArray {
  const out = context.allocate(sizeOfShape(shape), dtype);
  out.fill(value);
  return out;
}
