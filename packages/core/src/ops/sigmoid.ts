import type { Tensor } from '../tensor.js';
import { activationGrad } from './activation-grad.js';
import { unaryOp } from './unary-op.js';

/**
 * Logistic sigmoid 1 / (1 + e^-x), computed stably for large |x|. Range (0, 1) (in float32 it rounds to
 * exactly 1 from x ≈ 17 on); the gradient σ(x)(1 − σ(x)) is at most 0.25, at x = 0.
 *
 * @example
 * ```ts
 * sigmoid(tensor([-1, 0, 1])); // [0.2689, 0.5, 0.7311]
 * ```
 */
export function sigmoid(x: Tensor): Tensor {
  return unaryOp('sigmoid', x, (dy, _x, output) => activationGrad(dy, output, 'sigmoid'));
}
