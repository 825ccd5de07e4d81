import { DendriteError } from '../../../errors.js';
import type { CpuFloatTensor, CpuTensor, KernelContext } from '../kernel-context.js';

/** Per-row loss log Σ exp(x) - x[label] and the row's softmax, in one pass over each row. */
export function softmaxCrossEntropy(
  context: KernelContext, logits: CpuFloatTensor, labels: CpuTensor,
): [Float32Array, Float32Array] {
  const [batch, classes] = logits.shape;
  const x = logits.values;
  const label = labels.values;
  const losses = context.allocateFloat32(batch);
  const probabilities = context.allocateFloat32(batch * classes);
  for (let row = 0; row < batch; row++) {
    const target = label[row];
    if (!(target >= 0 && target < classes)) {
      throw new DendriteError(`softmaxCrossEntropy: label ${target} at row ${row} is outside [0, ${classes})`);
    }
    const offset = row * classes;
    let max = -Infinity;
    for (let c = 0; c < classes; c++) if (x[offset + c] > max) max = x[offset + c];
    let total = 0;
    for (let c = 0; c < classes; c++) {
      const e = Math.exp(x[offset + c] - max);
      probabilities[offset + c] = e;
      total += e;
    }
    for (let c = 0; c < classes; c++) probabilities[offset + c] /= total;
    losses[row] = Math.log(total) + max - x[offset + target];
  }
  return [losses, probabilities];
}
