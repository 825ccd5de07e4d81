import type { DType, TypedArray } from '../../../backend/backend.js';
import type { CpuTensor, KernelContext } from '../kernel-context.js';

/**
 * Convert between float32 and int32 into a new buffer. Float to int truncates toward zero
 * (Int32Array stores through ToInt32, which also sends NaN to 0).
 */
export function cast(context: KernelContext, x: CpuTensor, dtype: DType): TypedArray {
  const out = context.allocate(x.values.length, dtype);
  out.set(x.values);
  return out;
}
