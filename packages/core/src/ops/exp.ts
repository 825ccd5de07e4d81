import type { Tensor } from '../tensor.js';
import { mul } from './mul.js';
import { unaryOp } from './unary-op.js';

/** e^x */
export function exp(x: Tensor): Tensor {
  return unaryOp('exp', x, (dy, _x, output) => mul(dy, output));
}
