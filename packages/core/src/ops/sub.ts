import type { Tensor } from '../tensor.js';
import { binaryOp } from './binary-op.js';
import { neg } from './neg.js';
import { unbroadcast, type TensorLike } from './util.js';

/** a - b, broadcasting. */
export function sub(a: TensorLike, b: TensorLike): Tensor {
  return binaryOp('sub', a, b, (dy, x, y) => [unbroadcast(dy, x.shape), unbroadcast(neg(dy), y.shape)]);
}
