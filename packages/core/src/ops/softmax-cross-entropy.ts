import { check } from '../errors.js';
import { formatShape } from '../shape.js';
import type { Tensor } from '../tensor.js';
import { gather } from './gather.js';
import { logSoftmax } from './log-softmax.js';
import { mean } from './mean.js';
import { mul } from './mul.js';
import { neg } from './neg.js';
import { reshape } from './reshape.js';
import { sum } from './sum.js';
import { arange } from './creation.js';
import { add } from './add.js';

/**
 * Mean cross-entropy between softmax(logits) [batch, classes] and labels: int32 class indices
 * [batch], or float32 probabilities [batch, classes]. Softmax and the log are fused into one
 * log-softmax, so it is stable for any logits.
 *
 * @example
 * ```ts
 * const loss = softmaxCrossEntropy(logits, labels); // scalar
 * ```
 */
export function softmaxCrossEntropy(logits: Tensor, labels: Tensor): Tensor {
  check(logits.rank === 2, 'softmaxCrossEntropy', () => `logits must be [batch, classes], got ${formatShape(logits.shape)}`);
  const [batch, classes] = logits.shape;
  const logProbabilities = logSoftmax(logits, 1);
  if (labels.dtype === 'int32') {
    check(labels.rank === 1 && labels.shape[0] === batch, 'softmaxCrossEntropy', () =>
      `int32 labels must be [${batch}], got ${formatShape(labels.shape)}`);
    // Pick each row's label column from the flattened log-probabilities.
    const flatIndex = add(mul(arange(0, batch, 1, 'int32'), classes), labels);
    const picked = gather(reshape(logProbabilities, [batch * classes]), flatIndex);
    return neg(mean(picked));
  }
  check(labels.rank === 2 && labels.shape[0] === batch && labels.shape[1] === classes, 'softmaxCrossEntropy', () =>
    `probability labels must be ${formatShape(logits.shape)}, got ${formatShape(labels.shape)}`);
  return neg(mean(sum(mul(labels, logProbabilities), 1)));
}
