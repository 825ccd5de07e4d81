import type { Tensor } from '../tensor.js';
import { mul } from './mul.js';

/** x * x */
export function square(x: Tensor): Tensor {
  return mul(x, x);
}
