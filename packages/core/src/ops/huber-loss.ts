import { check } from '../errors.js';
import type { Tensor } from '../tensor.js';
import { abs } from './abs.js';
import { less } from './comparisons.js';
import { checkLossOptions, checkSameShape, reduceLoss, type LossOptions } from './loss-reduction.js';
import { mul } from './mul.js';
import { square } from './square.js';
import { sub } from './sub.js';
import { where } from './where.js';
import { composite } from './util.js';

/** Options of {@link huberLoss}. */
export interface HuberLossOptions extends LossOptions {
  /** Where the loss turns from quadratic to linear (PyTorch's `delta`, Keras' `delta`); default 1. */
  delta?: number;
}

/**
 * Huber loss (PyTorch's `HuberLoss`): ½d² where |d| < delta, else delta·(|d| - ½delta), with d =
 * prediction - target; quadratic near the target, linear (robust to outliers) beyond it.
 *
 * @example
 * ```ts
 * const loss = huberLoss(prediction, target, { delta: 0.5 });
 * ```
 */
export function huberLoss(prediction: Tensor, target: Tensor, options: HuberLossOptions = {}): Tensor {
  checkLossOptions('huberLoss', options, ['delta']);
  checkSameShape('huberLoss', 'prediction', prediction, 'target', target);
  const delta = options.delta ?? 1;
  check(Number.isFinite(delta) && delta > 0, 'huberLoss', () => `delta must be a positive finite number, got ${delta}`);
  return composite('huberLoss', () => {
    const difference = sub(prediction, target);
    const magnitude = abs(difference);
    const losses = where(less(magnitude, delta), mul(square(difference), 0.5), mul(sub(magnitude, 0.5 * delta), delta));
    return reduceLoss('huberLoss', losses, options);
  });
}
