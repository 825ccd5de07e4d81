import { check } from '../errors.js';
import { formatShape } from '../shape.js';
import type { Tensor } from '../tensor.js';
import { gather } from './gather.js';
import { logSoftmax } from './log-softmax.js';
import { mean } from './mean.js';
import { mul } from './mul.js';
import { neg } from './neg.js';
import { sum } from './sum.js';
import { arange } from './creation.js';
import { add } from './add.js';
import { engine } from '../engine.js';
import { oneHot } from './one-hot.js';
import { expandDims, reshape } from './reshape.js';
import { sub } from './sub.js';

/**
 * Mean cross-entropy between softmax(logits) [batch, classes] and labels: int32 class indices
 * [batch], or float32 probabilities [batch, classes]. Softmax and the log are fused into one
 * log-softmax, so it is stable for any logits; with int32 labels, backends that have the
 * `softmaxCrossEntropy` kernel do the whole row in one pass.
 *
 * @example
 * ```ts
 * const loss = softmaxCrossEntropy(logits, labels); // scalar
 * ```
 */
export function softmaxCrossEntropy(logits: Tensor, labels: Tensor): Tensor {
  check(logits.rank === 2, 'softmaxCrossEntropy', () => `logits must be [batch, classes], got ${formatShape(logits.shape)}`);
  const [batch, classes] = logits.shape;
  if (labels.dtype === 'int32') {
    check(labels.rank === 1 && labels.shape[0] === batch, 'softmaxCrossEntropy', () =>
      `int32 labels must be [${batch}], got ${formatShape(labels.shape)}`);
    if (engine.backend.softmaxCrossEntropy) return mean(fusedRowLosses(logits, labels));
    // Pick each row's label column from the flattened log-probabilities.
    const flatIndex = add(mul(arange(0, batch, 1, 'int32'), classes), labels);
    const picked = gather(reshape(logSoftmax(logits, 1), [batch * classes]), flatIndex);
    return neg(mean(picked));
  }
  check(labels.rank === 2 && labels.shape[0] === batch && labels.shape[1] === classes, 'softmaxCrossEntropy', () =>
    `probability labels must be ${formatShape(logits.shape)}, got ${formatShape(labels.shape)}`);
  return neg(mean(sum(mul(labels, logSoftmax(logits, 1)), 1)));
}

/** One kernel for the per-row losses; its gradient is (softmax - oneHot(labels)) scaled by dy. */
function fusedRowLosses(logits: Tensor, labels: Tensor): Tensor {
  const [batch, classes] = logits.shape;
  const [rowLosses, probabilities] = engine.runMultiOp({
    name: 'softmaxCrossEntropy', inputs: [logits, labels],
    outputs: [{ shape: [batch], dtype: 'float32' }, { shape: [batch, classes], dtype: 'float32' }],
    kernel: (backend, [logitsInfo, labelsInfo]) => backend.softmaxCrossEntropy!(logitsInfo, labelsInfo),
  });
  return engine.recordGrad(rowLosses, 'softmaxCrossEntropy', [logits], (dy) =>
    [mul(sub(probabilities, oneHot(labels, classes)), expandDims(dy, 1))]);
}
