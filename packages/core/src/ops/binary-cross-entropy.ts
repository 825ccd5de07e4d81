import type { Tensor } from '../tensor.js';
import { greater } from './comparisons.js';
import { checkLossOptions, checkSameShape, reduceLoss, type LossOptions } from './loss-reduction.js';
import { log } from './log.js';
import { maximum } from './maximum.js';
import { mul } from './mul.js';
import { neg } from './neg.js';
import { sub } from './sub.js';
import { add } from './add.js';
import { where } from './where.js';
import { composite } from './util.js';

/** PyTorch's floor for log(p) in BCELoss, so a probability of exactly 0 or 1 costs 100, not Infinity. */
const logFloor = -100;

/**
 * log(x) floored at -100 as PyTorch's BCELoss does. The log reads 1 where x ≤ 0, so its gradient there is a
 * finite value that the `where` then drops (0), never Infinity × 0 = NaN.
 */
function clampedLog(x: Tensor): Tensor {
  const positive = greater(x, 0);
  return where(positive, maximum(log(where(positive, x, 1)), logFloor), logFloor);
}

/**
 * Binary cross-entropy on probabilities (PyTorch's `BCELoss`): -(t·log p + (1 - t)·log(1 - p)) per
 * element, each log floored at -100 as PyTorch does. Prefer {@link sigmoidCrossEntropy} on logits, which is
 * stable without a floor; use this when the model already ends in a sigmoid.
 *
 * @example
 * ```ts
 * const loss = binaryCrossEntropy(sigmoid(logits), targets, { reduction: 'sum' });
 * ```
 */
export function binaryCrossEntropy(probabilities: Tensor, targets: Tensor, options: LossOptions = {}): Tensor {
  checkLossOptions('binaryCrossEntropy', options, []);
  checkSameShape('binaryCrossEntropy', 'probabilities', probabilities, 'targets', targets);
  return composite('binaryCrossEntropy', () => {
    const positiveTerm = mul(targets, clampedLog(probabilities));
    const negativeTerm = mul(sub(1, targets), clampedLog(sub(1, probabilities)));
    return reduceLoss('binaryCrossEntropy', neg(add(positiveTerm, negativeTerm)), options);
  });
}
