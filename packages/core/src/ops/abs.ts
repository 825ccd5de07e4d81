import type { Tensor } from '../tensor.js';
import { mul } from './mul.js';
import { sign } from './sign.js';
import { unaryOp } from './unary-op.js';

/** |x|; the gradient at 0 is 0. */
export function abs(x: Tensor): Tensor {
  return unaryOp('abs', x, (dy, input) => mul(dy, sign(input)));
}
