import type { Tensor } from '../tensor.js';
import { div } from './div.js';
import { mul } from './mul.js';
import { unaryOp } from './unary-op.js';

/** Square root. */
export function sqrt(x: Tensor): Tensor {
  return unaryOp('sqrt', x, (dy, _x, output) => div(dy, mul(output, 2)));
}
