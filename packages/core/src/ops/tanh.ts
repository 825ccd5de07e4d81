import type { Tensor } from '../tensor.js';
import { activationGrad } from './activation-grad.js';
import { unaryOp } from './unary-op.js';

/** Hyperbolic tangent. */
export function tanh(x: Tensor): Tensor {
  return unaryOp('tanh', x, (dy, _x, output) => activationGrad(dy, output, 'tanh'));
}
