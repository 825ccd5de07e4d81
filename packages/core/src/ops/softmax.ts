import type { Tensor } from '../tensor.js';
import { exp } from './exp.js';
import { logSoftmax } from './log-softmax.js';
import { checkTensor } from './check-arguments.js';
import { composite } from './util.js';

/**
 * exp(x) / sum(exp(x)) along `axis` (default: the last), computed stably.
 *
 * @example
 * ```ts
 * softmax(tensor([[1, 2, 3]])); // [[0.090, 0.245, 0.665]]
 * ```
 */
export function softmax(x: Tensor, axis = -1): Tensor {
  checkTensor('softmax', 'x', x);
  return composite('softmax', () => exp(logSoftmax(x, axis)));
}
