import type { Tensor } from '../tensor.js';
import { binaryOp } from './binary-op.js';
import { unbroadcast, type TensorLike } from './util.js';

/** a * b elementwise, broadcasting. */
export function mul(a: TensorLike, b: TensorLike): Tensor {
  return binaryOp('mul', a, b, (dy, x, y) => [unbroadcast(mul(dy, y), x.shape), unbroadcast(mul(dy, x), y.shape)]);
}
