import type { Tensor } from '../tensor.js';
import { greater } from './comparisons.js';
import { mul } from './mul.js';
import { unaryOp } from './unary-op.js';

/** max(x, 0); the gradient at 0 is 0. */
export function relu(x: Tensor): Tensor {
  return unaryOp('relu', x, (dy, input) => mul(dy, greater(input, 0)));
}
