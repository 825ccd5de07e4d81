import { engine } from '../engine.js';
import type { Tensor } from '../tensor.js';
import { abs } from './abs.js';
import { checkLossOptions, checkSameShape, reduceLoss, type LossOptions } from './loss-reduction.js';
import { mul } from './mul.js';
import { neg } from './neg.js';
import { relu } from './relu.js';
import { sigmoid } from './sigmoid.js';
import { softplus } from './softplus.js';
import { sub } from './sub.js';
import { add } from './add.js';
import { composite } from './util.js';

/**
 * Binary cross-entropy on logits (PyTorch's `BCEWithLogitsLoss`, Keras' `from_logits: true`): targets are
 * probabilities in [0, 1] of the same shape as the logits. Computed as max(x, 0) - x·t + log(1 + e^-|x|),
 * so it never overflows, with the exact gradient sigmoid(x) - t (also at x = 0, where the composed form's
 * kinks would give the wrong one-sided value).
 *
 * @example
 * ```ts
 * const loss = sigmoidCrossEntropy(logits, targets);                 // scalar
 * const weighted = sigmoidCrossEntropy(logits, targets, { weights }); // weights: [batch]
 * ```
 */
export function sigmoidCrossEntropy(logits: Tensor, targets: Tensor, options: LossOptions = {}): Tensor {
  checkLossOptions('sigmoidCrossEntropy', options, []);
  checkSameShape('sigmoidCrossEntropy', 'logits', logits, 'targets', targets);
  return composite('sigmoidCrossEntropy', () => {
    const losses = engine.noGrad(() => add(sub(relu(logits), mul(logits, targets)), softplus(neg(abs(logits)))));
    const withGradient = engine.recordGrad(losses, 'sigmoidCrossEntropy', [logits, targets], (dy) => [
      mul(sub(sigmoid(logits), targets), dy),
      mul(neg(logits), dy),
    ]);
    return reduceLoss('sigmoidCrossEntropy', withGradient, options);
  });
}
