import type { DType, TypedArray } from '../../../backend/backend.js';
import type { CpuTensor, KernelContext } from '../kernel-context.js';

const INT32_MAX = 2147483647;
const INT32_MIN = -2147483648;

/**
 * Convert between float32 and int32 into a new buffer. Float to int32 truncates toward zero (as
 * PyTorch and C do) and saturates what int32 cannot hold: values above 2^31 - 1 (and +Infinity)
 * become 2147483647, values below -2^31 (and -Infinity) become -2147483648, and NaN becomes 0.
 * (A plain Int32Array store would wrap 3e10 to -64771072.) Every backend must follow this rule.
 */
export function cast(context: KernelContext, x: CpuTensor, dtype: DType): TypedArray {
  const out = context.allocate(x.values.length, dtype);
  if (dtype !== 'int32' || x.dtype === 'int32') {
    out.set(x.values);
    return out;
  }
  const values = x.values;
  for (let i = 0; i < values.length; i++) {
    const value = values[i];
    // NaN fails both comparisons and stores as 0 through the truncating Int32Array store.
    out[i] = value >= INT32_MAX ? INT32_MAX : value <= INT32_MIN ? INT32_MIN : value;
  }
  return out;
}
