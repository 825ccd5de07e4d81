import type { Tensor } from '../tensor.js';
import { logSumExp } from './log-sum-exp.js';
import { sub } from './sub.js';
import { checkTensor } from './check-arguments.js';
import { composite } from './util.js';

/** x - logSumExp(x) along `axis` (default: the last): log-probabilities, never overflowing. */
export function logSoftmax(x: Tensor, axis = -1): Tensor {
  checkTensor('logSoftmax', 'x', x);
  return composite('logSoftmax', () => sub(x, logSumExp(x, axis, true)));
}
