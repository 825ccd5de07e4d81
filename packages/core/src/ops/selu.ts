import type { Tensor } from '../tensor.js';
import { elu } from './elu.js';
import { mul } from './mul.js';
import { checkTensor } from './check-arguments.js';
import { composite } from './util.js';

const SELU_ALPHA = 1.6732632423543772;
const SELU_SCALE = 1.0507009873554805;

/** Scaled ELU with the self-normalising constants of Klambauer et al. (2017). Range (≈ -1.7581, ∞). */
export function selu(x: Tensor): Tensor {
  checkTensor('selu', 'x', x);
  return composite('selu', () => mul(elu(x, SELU_ALPHA), SELU_SCALE));
}
