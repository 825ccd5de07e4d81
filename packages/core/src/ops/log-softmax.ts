import type { Tensor } from '../tensor.js';
import { logSumExp } from './log-sum-exp.js';
import { sub } from './sub.js';

/** x - logSumExp(x) along `axis` (default: the last): log-probabilities, never overflowing. */
export function logSoftmax(x: Tensor, axis = -1): Tensor {
  return sub(x, logSumExp(x, axis, true));
}
