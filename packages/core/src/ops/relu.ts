import type { Tensor } from '../tensor.js';
import { activationGrad } from './activation-grad.js';
import { unaryOp } from './unary-op.js';

/** max(x, 0); the gradient at 0 is 0. */
export function relu(x: Tensor): Tensor {
  return unaryOp('relu', x, (dy, _x, output) => activationGrad(dy, output, 'relu'));
}
