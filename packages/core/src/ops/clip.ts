import { check } from '../errors.js';
import type { Tensor } from '../tensor.js';
import { maximum } from './maximum.js';
import { minimum } from './minimum.js';

/** Clamp to [min, max]; the gradient flows where x is inside the range. */
export function clip(x: Tensor, min: number, max: number): Tensor {
  check(min <= max, 'clip', () => `min ${min} is greater than max ${max}`);
  return minimum(maximum(x, min), max);
}
