import type { Tensor } from '../tensor.js';
import { binaryOp } from './binary-op.js';
import { mul } from './mul.js';
import { neg } from './neg.js';
import { unbroadcast, type TensorLike } from './util.js';

/** a / b elementwise, broadcasting (int32 / int32 gives float32). */
export function div(a: TensorLike, b: TensorLike): Tensor {
  return binaryOp('div', a, b, (dy, x, y, output) => [
    unbroadcast(div(dy, y), x.shape),
    unbroadcast(neg(div(mul(dy, output), y)), y.shape),
  ]);
}
