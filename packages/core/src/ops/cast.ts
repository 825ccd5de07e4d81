import type { DType } from '../backend/backend.js';
import { engine } from '../engine.js';
import type { Tensor } from '../tensor.js';
import { checkDType, checkTensor } from './check-arguments.js';

/**
 * Convert to `dtype`. No gradient flows through a cast. Float to int32 truncates toward zero (like
 * PyTorch) and saturates: above 2^31 - 1 or +Infinity gives 2147483647, below -2^31 or -Infinity
 * gives -2147483648, NaN gives 0 — on every backend.
 *
 * @example
 * ```ts
 * cast(tensor([1.9, -1.9, 3e10, NaN]), 'int32'); // [1, -1, 2147483647, 0]
 * ```
 */
export function cast(x: Tensor, dtype: DType): Tensor {
  checkTensor('cast', 'x', x);
  checkDType('cast', dtype);
  if (x.dtype === dtype) return x;
  return engine.runOp({
    name: 'cast', inputs: [x], shape: x.shape, dtype,
    kernel: (backend, [xInfo]) => backend.cast(xInfo, dtype),
  });
}
