import type { Tensor } from '../tensor.js';
import { checkLossOptions, checkSameShape, reduceLoss, type LossOptions } from './loss-reduction.js';
import { square } from './square.js';
import { sub } from './sub.js';
import { composite } from './util.js';

/**
 * Mean squared error (PyTorch's `MSELoss`): (prediction - target)² per element, then reduced (mean by
 * default; see {@link LossOptions}).
 *
 * @example
 * ```ts
 * const loss = meanSquaredError(prediction, target);               // scalar
 * const perElement = meanSquaredError(prediction, target, { reduction: 'none' });
 * ```
 */
export function meanSquaredError(prediction: Tensor, target: Tensor, options: LossOptions = {}): Tensor {
  checkLossOptions('meanSquaredError', options, []);
  checkSameShape('meanSquaredError', 'prediction', prediction, 'target', target);
  return composite('meanSquaredError', () => reduceLoss('meanSquaredError', square(sub(prediction, target)), options));
}
