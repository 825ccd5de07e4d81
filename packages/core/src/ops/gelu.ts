import type { Tensor } from '../tensor.js';
import { add } from './add.js';
import { erf } from './erf.js';
import { mul } from './mul.js';
import { checkTensor } from './check-arguments.js';
import { composite } from './util.js';

/** Gaussian error linear unit, exact form: x * Φ(x) = 0.5 x (1 + erf(x / √2)) (PyTorch's default). */
export function gelu(x: Tensor): Tensor {
  checkTensor('gelu', 'x', x);
  return composite('gelu', () => mul(mul(x, 0.5), add(erf(mul(x, Math.SQRT1_2)), 1)));
}
