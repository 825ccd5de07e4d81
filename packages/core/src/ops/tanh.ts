import type { Tensor } from '../tensor.js';
import { mul } from './mul.js';
import { sub } from './sub.js';
import { unaryOp } from './unary-op.js';

/** Hyperbolic tangent. */
export function tanh(x: Tensor): Tensor {
  return unaryOp('tanh', x, (dy, _x, output) => mul(dy, sub(1, mul(output, output))));
}
