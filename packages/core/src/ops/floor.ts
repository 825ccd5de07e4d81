import type { Tensor } from '../tensor.js';
import { unaryOp } from './unary-op.js';

/** Round down (no gradient). */
export function floor(x: Tensor): Tensor {
  return unaryOp('floor', x);
}
