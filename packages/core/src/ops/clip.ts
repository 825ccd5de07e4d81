import { check } from '../errors.js';
import type { Tensor } from '../tensor.js';
import { maximum } from './maximum.js';
import { minimum } from './minimum.js';
import { checkNumber, checkTensor } from './check-arguments.js';
import { composite } from './util.js';

/** Clamp to [min, max]; the gradient flows where x is inside the range. */
export function clip(x: Tensor, min: number, max: number): Tensor {
  checkTensor('clip', 'x', x);
  checkNumber('clip', 'min', min);
  checkNumber('clip', 'max', max);
  check(min <= max, 'clip', () => `min ${min} is greater than max ${max}`);
  return composite('clip', () => minimum(maximum(x, min), max));
}
