import type { Tensor } from '../tensor.js';
import { binaryOp } from './binary-op.js';
import { lessEqual } from './comparisons.js';
import { mul } from './mul.js';
import { sub } from './sub.js';
import { unbroadcast, type TensorLike } from './util.js';

/** Elementwise min of a and b; on ties the gradient goes to a. */
export function minimum(a: TensorLike, b: TensorLike): Tensor {
  return binaryOp('minimum', a, b, (dy, x, y) => {
    const pickX = lessEqual(x, y);
    return [unbroadcast(mul(dy, pickX), x.shape), unbroadcast(mul(dy, sub(1, pickX)), y.shape)];
  });
}
