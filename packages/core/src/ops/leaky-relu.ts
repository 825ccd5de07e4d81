import type { Tensor } from '../tensor.js';
import { greater } from './comparisons.js';
import { mul } from './mul.js';
import { where } from './where.js';
import { checkTensor } from './check-arguments.js';
import { composite } from './util.js';

/** x for x > 0, else alpha * x (alpha 0.01 by default, as PyTorch). Range (-∞, ∞) for alpha > 0. */
export function leakyRelu(x: Tensor, alpha = 0.01): Tensor {
  checkTensor('leakyRelu', 'x', x);
  return composite('leakyRelu', () => where(greater(x, 0), x, mul(x, alpha)));
}
