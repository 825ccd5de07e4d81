import type { Tensor } from '../tensor.js';
import { cos } from './cos.js';
import { mul } from './mul.js';
import { unaryOp } from './unary-op.js';

/** Sine. */
export function sin(x: Tensor): Tensor {
  return unaryOp('sin', x, (dy, input) => mul(dy, cos(input)));
}
