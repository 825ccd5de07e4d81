import { check } from '../errors.js';
import { formatShape } from '../shape.js';
import type { Tensor } from '../tensor.js';
import { gather } from './gather.js';
import { logSoftmax } from './log-softmax.js';
import { mean } from './mean.js';
import { mul } from './mul.js';
import { neg } from './neg.js';
import { sum } from './sum.js';
import { arange, scalar } from './creation.js';
import { add } from './add.js';
import { engine } from '../engine.js';
import { oneHot } from './one-hot.js';
import { expandDims, reshape } from './reshape.js';
import { sub } from './sub.js';
import { checkTensor } from './check-arguments.js';
import { composite } from './util.js';
import { greaterEqual, less } from './comparisons.js';
import { where } from './where.js';

/**
 * Mean cross-entropy between softmax(logits) [batch, classes] and labels: int32 class indices
 * [batch], or float32 probabilities [batch, classes]. Softmax and the log are fused into one
 * log-softmax, so it is stable for any logits; with int32 labels, backends that have the
 * `softmaxCrossEntropy` kernel do the whole row in one pass.
 *
 * An int32 label outside [0, classes) is an error, never a read of another row: labels in host
 * memory (the CPU backend) are checked before anything runs. Labels that live on a device without
 * synchronous reads (a GPU) cannot be checked without stalling it, so there the loss of such a row
 * is NaN (and so is the mean), which training code sees at the next read.
 *
 * @example
 * ```ts
 * const loss = softmaxCrossEntropy(logits, labels); // scalar
 * ```
 */
export function softmaxCrossEntropy(logits: Tensor, labels: Tensor): Tensor {
  checkTensor('softmaxCrossEntropy', 'logits', logits);
  checkTensor('softmaxCrossEntropy', 'labels', labels);
  check(logits.rank === 2, 'softmaxCrossEntropy', () => `logits must be [batch, classes], got ${formatShape(logits.shape)}`);
  const [batch, classes] = logits.shape;
  if (labels.dtype === 'int32') {
    check(labels.rank === 1 && labels.shape[0] === batch, 'softmaxCrossEntropy', () =>
      `int32 labels must be [${batch}], got ${formatShape(labels.shape)}`);
    const hostChecked = checkHostLabels(labels, classes);
    return composite('softmaxCrossEntropy', () => {
      const rowLosses = engine.backend.softmaxCrossEntropy ? fusedRowLosses(logits, labels) : composedRowLosses(logits, labels);
      return mean(hostChecked ? rowLosses : poisonInvalidRows(rowLosses, labels, classes));
    });
  }
  check(labels.rank === 2 && labels.shape[0] === batch && labels.shape[1] === classes, 'softmaxCrossEntropy', () =>
    `probability labels must be ${formatShape(logits.shape)}, got ${formatShape(labels.shape)}`);
  return composite('softmaxCrossEntropy', () => neg(mean(sum(mul(labels, logSoftmax(logits, 1)), 1))));
}

/** Read host-resident labels and refuse any outside [0, classes); false if they cannot be read now. */
function checkHostLabels(labels: Tensor, classes: number): boolean {
  if (!labels.backend.readSync) return false;
  const values = labels.dataSync();
  for (let row = 0; row < values.length; row++) {
    const label = values[row];
    check(label >= 0 && label < classes, 'softmaxCrossEntropy', () =>
      `label ${label} at row ${row} is outside [0, ${classes}) (labels ${formatShape(labels.shape)})`);
  }
  return true;
}

/** Each row's -log p[label], picked from the flattened log-probabilities. */
function composedRowLosses(logits: Tensor, labels: Tensor): Tensor {
  const [batch, classes] = logits.shape;
  const flatIndex = add(mul(arange(0, batch, 1, 'int32'), classes), labels);
  return neg(gather(reshape(logSoftmax(logits, 1), [batch * classes]), flatIndex));
}

/** NaN where the label is outside [0, classes), so a device-resident bad label cannot go unnoticed. */
function poisonInvalidRows(rowLosses: Tensor, labels: Tensor, classes: number): Tensor {
  const valid = mul(greaterEqual(labels, 0), less(labels, classes));
  return where(valid, rowLosses, scalar(Number.NaN));
}

/** One kernel for the per-row losses; its gradient is (softmax - oneHot(labels)) scaled by dy. */
function fusedRowLosses(logits: Tensor, labels: Tensor): Tensor {
  const [batch, classes] = logits.shape;
  const [rowLosses, probabilities] = engine.runMultiOp({
    name: 'softmaxCrossEntropy', inputs: [logits, labels],
    outputs: [{ shape: [batch], dtype: 'float32' }, { shape: [batch, classes], dtype: 'float32' }],
    kernel: (backend, [logitsInfo, labelsInfo]) => backend.softmaxCrossEntropy!(logitsInfo, labelsInfo),
  });
  // The rule reads the probabilities and the labels besides its input: saved with the graph.
  return engine.recordGrad(rowLosses, 'softmaxCrossEntropy', [logits], (dy) =>
    [mul(sub(probabilities, oneHot(labels, classes)), expandDims(dy, 1))], [probabilities, labels]);
}
