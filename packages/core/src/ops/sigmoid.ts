import type { Tensor } from '../tensor.js';
import { activationGrad } from './activation-grad.js';
import { unaryOp } from './unary-op.js';

/** 1 / (1 + e^-x), computed stably for large |x|. */
export function sigmoid(x: Tensor): Tensor {
  return unaryOp('sigmoid', x, (dy, _x, output) => activationGrad(dy, output, 'sigmoid'));
}
