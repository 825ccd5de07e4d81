import type { Tensor } from '../tensor.js';
import { unaryOp } from './unary-op.js';

/** -1, 0 or 1 by the sign of x (no gradient). */
export function sign(x: Tensor): Tensor {
  return unaryOp('sign', x);
}
