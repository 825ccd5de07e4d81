import type { Tensor } from '../tensor.js';
import { greater } from './comparisons.js';
import { exp } from './exp.js';
import { minimum } from './minimum.js';
import { mul } from './mul.js';
import { sub } from './sub.js';
import { where } from './where.js';
import { checkTensor } from './check-arguments.js';
import { composite } from './util.js';

/** x for x > 0, else alpha * (e^x - 1). Range (-alpha, ∞). */
export function elu(x: Tensor, alpha = 1): Tensor {
  // exp of min(x, 0) so the unused branch never overflows
  checkTensor('elu', 'x', x);
  return composite('elu', () => where(greater(x, 0), x, mul(sub(exp(minimum(x, 0)), 1), alpha)));
}
