import { normalizeAxes } from '../shape.js';
import type { Tensor } from '../tensor.js';
import { div } from './div.js';
import { sum } from './sum.js';
import { checkAxisArgument, checkTensor } from './check-arguments.js';
import { composite } from './util.js';

/** Mean over `axis` (all when omitted). */
export function mean(x: Tensor, axis?: number | readonly number[], keepDims = false): Tensor {
  checkTensor('mean', 'x', x);
  checkAxisArgument('mean', axis);
  const axes = normalizeAxes('mean', axis, x.rank);
  const count = axes.reduce((product, a) => product * x.shape[a], 1);
  return composite('mean', () => div(sum(x, axes, keepDims), count));
}
