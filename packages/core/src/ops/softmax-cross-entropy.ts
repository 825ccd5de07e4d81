import { check } from '../errors.js';
import { formatShape } from '../shape.js';
import type { Tensor } from '../tensor.js';
import { gather } from './gather.js';
import { logSoftmax } from './log-softmax.js';
import { mul } from './mul.js';
import { neg } from './neg.js';
import { sum } from './sum.js';
import { arange } from './creation.js';
import { add } from './add.js';
import { engine } from '../engine.js';
import { oneHot } from './one-hot.js';
import { expandDims, reshape } from './reshape.js';
import { sub } from './sub.js';
import { checkLossOptions, reduceLoss, type LossOptions } from './loss-reduction.js';

/** Options of {@link softmaxCrossEntropy}. */
export interface SoftmaxCrossEntropyOptions extends LossOptions {
  /**
   * Label smoothing ε in [0, 1) as PyTorch's `label_smoothing`: the target becomes (1 - ε)·target + ε/classes.
   * Default 0.
   */
  labelSmoothing?: number;
}

/**
 * Cross-entropy between softmax(logits) [batch, classes] and labels: int32 class indices [batch], or
 * float32 probabilities [batch, classes]. Softmax and the log are fused into one log-softmax, so it is
 * stable for any logits; with int32 labels and no label smoothing, backends that have the
 * `softmaxCrossEntropy` kernel do the whole row in one pass. Mean over the batch by default; the
 * unreduced loss is [batch].
 *
 * @example
 * ```ts
 * const loss = softmaxCrossEntropy(logits, labels); // scalar
 * const smoothed = softmaxCrossEntropy(logits, labels, { labelSmoothing: 0.1, weights: sampleWeights });
 * ```
 */
export function softmaxCrossEntropy(logits: Tensor, labels: Tensor, options: SoftmaxCrossEntropyOptions = {}): Tensor {
  checkLossOptions('softmaxCrossEntropy', options, ['labelSmoothing']);
  check(logits.rank === 2, 'softmaxCrossEntropy', () => `logits must be [batch, classes], got ${formatShape(logits.shape)}`);
  const [batch, classes] = logits.shape;
  const smoothing = options.labelSmoothing ?? 0;
  check(Number.isFinite(smoothing) && smoothing >= 0 && smoothing < 1, 'softmaxCrossEntropy', () =>
    `labelSmoothing must be in [0, 1), got ${smoothing}`);
  return reduceLoss('softmaxCrossEntropy', rowLosses(logits, labels, batch, classes, smoothing), options);
}

function rowLosses(logits: Tensor, labels: Tensor, batch: number, classes: number, smoothing: number): Tensor {
  if (labels.dtype === 'int32') {
    check(labels.rank === 1 && labels.shape[0] === batch, 'softmaxCrossEntropy', () =>
      `int32 labels must be [${batch}], got ${formatShape(labels.shape)}`);
    if (smoothing > 0) return probabilityRowLosses(logits, oneHot(labels, classes), classes, smoothing);
    if (engine.backend.softmaxCrossEntropy) return fusedRowLosses(logits, labels);
    // Pick each row's label column from the flattened log-probabilities.
    const flatIndex = add(mul(arange(0, batch, 1, 'int32'), classes), labels);
    return neg(gather(reshape(logSoftmax(logits, 1), [batch * classes]), flatIndex));
  }
  check(labels.rank === 2 && labels.shape[0] === batch && labels.shape[1] === classes, 'softmaxCrossEntropy', () =>
    `probability labels must be ${formatShape(logits.shape)}, got ${formatShape(labels.shape)}`);
  return probabilityRowLosses(logits, labels, classes, smoothing);
}

function probabilityRowLosses(logits: Tensor, targets: Tensor, classes: number, smoothing: number): Tensor {
  const smoothed = smoothing > 0 ? add(mul(targets, 1 - smoothing), smoothing / classes) : targets;
  return neg(sum(mul(smoothed, logSoftmax(logits, 1)), 1));
}

/** One kernel for the per-row losses; its gradient is (softmax - oneHot(labels)) scaled by dy. */
function fusedRowLosses(logits: Tensor, labels: Tensor): Tensor {
  const [batch, classes] = logits.shape;
  const [losses, probabilities] = engine.runMultiOp({
    name: 'softmaxCrossEntropy', inputs: [logits, labels],
    outputs: [{ shape: [batch], dtype: 'float32' }, { shape: [batch, classes], dtype: 'float32' }],
    kernel: (backend, [logitsInfo, labelsInfo]) => backend.softmaxCrossEntropy!(logitsInfo, labelsInfo),
  });
  return engine.recordGrad(losses, 'softmaxCrossEntropy', [logits], (dy) =>
    [mul(sub(probabilities, oneHot(labels, classes)), expandDims(dy, 1))]);
}
