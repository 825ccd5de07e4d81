import type { Tensor } from '../tensor.js';
import { abs } from './abs.js';
import { checkLossOptions, checkSameShape, reduceLoss, type LossOptions } from './loss-reduction.js';
import { sub } from './sub.js';
import { composite } from './util.js';

/**
 * Mean absolute error (PyTorch's `L1Loss`): |prediction - target| per element, then reduced (mean by
 * default). The gradient is sign(prediction - target), 0 where they are equal, as in PyTorch.
 *
 * @example
 * ```ts
 * const loss = meanAbsoluteError(prediction, target, { reduction: 'sum' });
 * ```
 */
export function meanAbsoluteError(prediction: Tensor, target: Tensor, options: LossOptions = {}): Tensor {
  checkLossOptions('meanAbsoluteError', options, []);
  checkSameShape('meanAbsoluteError', 'prediction', prediction, 'target', target);
  return composite('meanAbsoluteError', () => reduceLoss('meanAbsoluteError', abs(sub(prediction, target)), options));
}
