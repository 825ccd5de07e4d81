import type { Tensor } from '../tensor.js';
import { mean } from './mean.js';
import { reshape } from './reshape.js';
import { square } from './square.js';
import { sub } from './sub.js';
import { checkTensor } from './check-arguments.js';
import { composite } from './util.js';

/** Population variance over `axis` (all when omitted), as batch norm uses it. */
export function variance(x: Tensor, axis?: number | readonly number[], keepDims = false): Tensor {
  checkTensor('variance', 'x', x);
  return composite('variance', () => mean(square(sub(x, mean(x, axis, true))), axis, keepDims));
}

/** Mean and variance over `axis` in one call. */
export function moments(x: Tensor, axis?: number | readonly number[], keepDims = false): { mean: Tensor; variance: Tensor } {
  checkTensor('moments', 'x', x);
  return composite('moments', () => {
    const center = mean(x, axis, true);
    const spread = mean(square(sub(x, center)), axis, keepDims);
    // The mean is already computed (with kept dims) for the centring; reshape it rather than recompute.
    return { mean: keepDims ? center : reshape(center, spread.shape), variance: spread };
  });
}
