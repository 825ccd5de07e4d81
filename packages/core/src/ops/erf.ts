import type { Tensor } from '../tensor.js';
import { exp } from './exp.js';
import { mul } from './mul.js';
import { unaryOp } from './unary-op.js';

/** The Gauss error function. */
export function erf(x: Tensor): Tensor {
  return unaryOp('erf', x, (dy, input) => mul(dy, mul(exp(mul(mul(input, input), -1)), 2 / Math.sqrt(Math.PI))));
}
