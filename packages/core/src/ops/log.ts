import type { Tensor } from '../tensor.js';
import { div } from './div.js';
import { unaryOp } from './unary-op.js';

/** Natural logarithm. */
export function log(x: Tensor): Tensor {
  return unaryOp('log', x, (dy, input) => div(dy, input));
}
