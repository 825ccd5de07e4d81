import type { Tensor } from '../tensor.js';
import { activationGrad } from './activation-grad.js';
import { unaryOp } from './unary-op.js';

/**
 * Rectified linear unit: max(x, 0). Range [0, ∞); the gradient is 1 for x > 0 and 0 otherwise (0 at x = 0,
 * as PyTorch).
 *
 * @example
 * ```ts
 * relu(tensor([-2, 0, 3])); // [0, 0, 3]
 * ```
 */
export function relu(x: Tensor): Tensor {
  return unaryOp('relu', x, (dy, _x, output) => activationGrad(dy, output, 'relu'));
}
