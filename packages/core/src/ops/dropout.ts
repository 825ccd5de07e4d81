import { check } from '../errors.js';
import type { Tensor } from '../tensor.js';
import { div } from './div.js';
import { mul } from './mul.js';
import { bernoulli } from './random.js';
import { checkTensor } from './check-arguments.js';
import { composite } from './util.js';

/** Zero each element with probability `rate` and scale the rest by 1 / (1 - rate) (inverted dropout). */
export function dropout(x: Tensor, rate: number, seed?: number): Tensor {
  checkTensor('dropout', 'x', x);
  check(typeof rate === 'number' && rate >= 0 && rate < 1, 'dropout', () => `rate must be a number in [0, 1), got ${String(rate)}`);
  if (rate === 0) return x;
  return composite('dropout', () => div(mul(x, bernoulli(x.shape, 1 - rate, seed)), 1 - rate));
}
