import type { Tensor } from '../tensor.js';
import { mul } from './mul.js';
import { neg } from './neg.js';
import { sin } from './sin.js';
import { unaryOp } from './unary-op.js';

/** Cosine. */
export function cos(x: Tensor): Tensor {
  return unaryOp('cos', x, (dy, input) => mul(dy, neg(sin(input))));
}
