import type { Tensor } from '../tensor.js';
import { mul } from './mul.js';
import { sub } from './sub.js';
import { unaryOp } from './unary-op.js';

/** 1 / (1 + e^-x), computed stably for large |x|. */
export function sigmoid(x: Tensor): Tensor {
  return unaryOp('sigmoid', x, (dy, _x, output) => mul(dy, mul(output, sub(1, output))));
}
