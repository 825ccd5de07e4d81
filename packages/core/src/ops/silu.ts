import type { Tensor } from '../tensor.js';
import { mul } from './mul.js';
import { sigmoid } from './sigmoid.js';
import { composite } from './util.js';
import { checkTensor } from './check-arguments.js';

/**
 * Sigmoid linear unit (swish): x · σ(x). Range (≈ -0.278, ∞); smooth, non-monotonic near zero.
 * The gradient σ(x)(1 + x(1 − σ(x))) follows from the composed ops.
 *
 * @example
 * ```ts
 * silu(tensor([-1, 0, 2])); // [-0.2689, 0, 1.7616]
 * ```
 */
export function silu(x: Tensor): Tensor {
  checkTensor('silu', 'x', x);
  return composite('silu', () => mul(x, sigmoid(x)));
}
