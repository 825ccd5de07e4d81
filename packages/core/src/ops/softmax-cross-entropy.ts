import { check } from '../errors.js';
import { formatShape } from '../shape.js';
import type { Tensor } from '../tensor.js';
import { gather } from './gather.js';
import { logSoftmax } from './log-softmax.js';
import { mul } from './mul.js';
import { neg } from './neg.js';
import { sum } from './sum.js';
import { arange, scalar } from './creation.js';
import { add } from './add.js';
import { engine } from '../engine.js';
import { oneHot } from './one-hot.js';
import { expandDims, reshape } from './reshape.js';
import { sub } from './sub.js';
import { checkLossOptions, reduceLoss, type LossOptions } from './loss-reduction.js';
import { checkTensor } from './check-arguments.js';
import { composite } from './util.js';
import { greaterEqual, less } from './comparisons.js';
import { where } from './where.js';

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
 * An int32 label outside [0, classes) is never a read of another row: labels in host memory (the
 * CPU backend) are checked before anything runs, an error naming the row. Labels on a device (a
 * GPU) are not read back, which would stall every step: that row's loss is NaN instead (and so is
 * the mean), which training code sees at its next read.
 *
 * @example
 * ```ts
 * const loss = softmaxCrossEntropy(logits, labels); // scalar
 * const smoothed = softmaxCrossEntropy(logits, labels, { labelSmoothing: 0.1, weights: sampleWeights });
 * ```
 */
export function softmaxCrossEntropy(logits: Tensor, labels: Tensor, options: SoftmaxCrossEntropyOptions = {}): Tensor {
  checkTensor('softmaxCrossEntropy', 'logits', logits);
  checkTensor('softmaxCrossEntropy', 'labels', labels);
  checkLossOptions('softmaxCrossEntropy', options, ['labelSmoothing']);
  check(logits.rank === 2, 'softmaxCrossEntropy', () => `logits must be [batch, classes], got ${formatShape(logits.shape)}`);
  const [batch, classes] = logits.shape;
  const smoothing = options.labelSmoothing ?? 0;
  check(Number.isFinite(smoothing) && smoothing >= 0 && smoothing < 1, 'softmaxCrossEntropy', () =>
    `labelSmoothing must be in [0, 1), got ${smoothing}`);
  return composite('softmaxCrossEntropy', () =>
    reduceLoss('softmaxCrossEntropy', rowLosses(logits, labels, batch, classes, smoothing), options));
}

function rowLosses(logits: Tensor, labels: Tensor, batch: number, classes: number, smoothing: number): Tensor {
  if (labels.dtype === 'int32') {
    check(labels.rank === 1 && labels.shape[0] === batch, 'softmaxCrossEntropy', () =>
      `int32 labels must be [${batch}], got ${formatShape(labels.shape)}`);
    // Host labels are checked here; for device labels a fused kernel (which intRowLosses picks when
    // there is no smoothing) answers a bad label with a NaN row (its contract in
    // Backend.softmaxCrossEntropy), so neither path costs a device readback.
    if (checkHostLabels(labels, classes) || (smoothing === 0 && engine.backend.softmaxCrossEntropy)) {
      return intRowLosses(logits, labels, classes, smoothing);
    }
    // Composed on a device: a bad label reads column 0 of its own row instead of another row, and its
    // row's loss is then replaced by NaN.
    const valid = mul(greaterEqual(labels, 0), less(labels, classes));
    const safeLabels = where(valid, labels, scalar(0, 'int32'));
    return where(valid, intRowLosses(logits, safeLabels, classes, smoothing), scalar(Number.NaN));
  }
  check(labels.rank === 2 && labels.shape[0] === batch && labels.shape[1] === classes, 'softmaxCrossEntropy', () =>
    `probability labels must be ${formatShape(logits.shape)}, got ${formatShape(labels.shape)}`);
  return probabilityRowLosses(logits, labels, classes, smoothing);
}

/** Each row's loss for int32 labels known to be in range: the fused kernel where the backend has one. */
function intRowLosses(logits: Tensor, labels: Tensor, classes: number, smoothing: number): Tensor {
  if (smoothing > 0) return probabilityRowLosses(logits, oneHot(labels, classes), classes, smoothing);
  if (engine.backend.softmaxCrossEntropy) return fusedRowLosses(logits, labels);
  // Pick each row's label column from the flattened log-probabilities.
  const [batch] = logits.shape;
  const flatIndex = add(mul(arange(0, batch, 1, 'int32'), classes), labels);
  return neg(gather(reshape(logSoftmax(logits, 1), [batch * classes]), flatIndex));
}

function probabilityRowLosses(logits: Tensor, targets: Tensor, classes: number, smoothing: number): Tensor {
  const smoothed = smoothing > 0 ? add(mul(targets, 1 - smoothing), smoothing / classes) : targets;
  return neg(sum(mul(smoothed, logSoftmax(logits, 1)), 1));
}

/** Read host-resident labels and refuse any outside [0, classes); false if they cannot be read now. */
function checkHostLabels(labels: Tensor, classes: number): boolean {
  if (!labels.backend.hostMemory || !labels.backend.readSync) return false;
  const values = labels.dataSync();
  for (let row = 0; row < values.length; row++) {
    const label = values[row];
    check(label >= 0 && label < classes, 'softmaxCrossEntropy', () =>
      `label ${label} at row ${row} is outside [0, ${classes}) (labels ${formatShape(labels.shape)})`);
  }
  return true;
}

/** One kernel for the per-row losses; its gradient is (softmax - oneHot(labels)) scaled by dy. */
function fusedRowLosses(logits: Tensor, labels: Tensor): Tensor {
  const [batch, classes] = logits.shape;
  const [losses, probabilities] = engine.runMultiOp({
    name: 'softmaxCrossEntropy', inputs: [logits, labels],
    outputs: [{ shape: [batch], dtype: 'float32' }, { shape: [batch, classes], dtype: 'float32' }],
    kernel: (backend, [logitsInfo, labelsInfo]) => backend.softmaxCrossEntropy!(logitsInfo, labelsInfo),
  });
  // The rule reads the probabilities and the labels besides its input: saved with the graph.
  return engine.recordGrad(losses, 'softmaxCrossEntropy', [logits], (dy) =>
    [mul(sub(probabilities, oneHot(labels, classes)), expandDims(dy, 1))], [probabilities, labels]);
}
