import type { DType } from '../backend/backend.js';
import { engine } from '../engine.js';
import type { Tensor } from '../tensor.js';

/** Convert to `dtype` (float to int32 truncates toward zero). No gradient flows through a cast. */
export function cast(x: Tensor, dtype: DType): Tensor {
  if (x.dtype === dtype) return x;
  return engine.runOp({
    name: 'cast', inputs: [x], shape: x.shape, dtype,
    kernel: (backend, [xInfo]) => backend.cast(xInfo, dtype),
  });
}
