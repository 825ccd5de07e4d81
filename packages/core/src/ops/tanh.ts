import type { Tensor } from '../tensor.js';
import { activationGrad } from './activation-grad.js';
import { unaryOp } from './unary-op.js';

/**
 * Hyperbolic tangent. Range (-1, 1), zero-centred; the gradient 1 − tanh²(x) is at most 1, at x = 0.
 *
 * @example
 * ```ts
 * tanh(tensor([-1, 0, 1])); // [-0.7616, 0, 0.7616]
 * ```
 */
export function tanh(x: Tensor): Tensor {
  return unaryOp('tanh', x, (dy, _x, output) => activationGrad(dy, output, 'tanh'));
}
