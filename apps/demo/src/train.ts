import { argmax, equal, noGrad, softmaxCrossEntropy, sum, tensor, tidy, variableGrads } from '@dendrite/core';
import { Adam } from '@dendrite/optimizers';
import type { Mlp } from './mlp.js';

/** Images flattened to [count, features] with int32 labels. */
export interface Split {
  images: Float32Array;
  labels: Int32Array;
  count: number;
  features: number;
}

export interface EpochResult {
  loss: number;
  accuracy: number;
  seconds: number;
}

/** One epoch of Adam over a seeded shuffle of `data`; `onBatch` sees progress. */
export async function trainEpoch(
  model: Mlp, optimizer: Adam, data: Split, options: { batchSize: number; seed: number; onBatch?: (done: number, total: number, loss: number) => void },
): Promise<EpochResult> {
  const start = performance.now();
  const order = shuffledIndices(data.count, options.seed);
  const batches = Math.ceil(data.count / options.batchSize);
  const batchImages = new Float32Array(options.batchSize * data.features);
  const batchLabels = new Int32Array(options.batchSize);
  let lossSum = 0;
  let correct = 0;
  for (let b = 0; b < batches; b++) {
    const size = Math.min(options.batchSize, data.count - b * options.batchSize);
    for (let i = 0; i < size; i++) {
      const row = order[b * options.batchSize + i];
      batchImages.set(data.images.subarray(row * data.features, (row + 1) * data.features), i * data.features);
      batchLabels[i] = data.labels[row];
    }
    const [loss, hits] = tidy(() => {
      const x = tensor(batchImages.subarray(0, size * data.features), [size, data.features]);
      const y = tensor(batchLabels.subarray(0, size), [size], 'int32');
      // The hit count leaves the step as an auxiliary output: detached from the graph, kept alive.
      const { value, aux, grads } = variableGrads(() => {
        const logits = model.forward(x);
        return [softmaxCrossEntropy(logits, y), sum(equal(argmax(logits, 1), y))] as const;
      }, model.parameters, { hasAux: true });
      optimizer.step(grads);
      return [value, aux];
    });
    const lossValue = (await loss.data())[0];
    lossSum += lossValue * size;
    correct += (await hits.data())[0];
    loss.dispose();
    hits.dispose();
    options.onBatch?.(b + 1, batches, lossValue);
  }
  return { loss: lossSum / data.count, accuracy: correct / data.count, seconds: (performance.now() - start) / 1000 };
}

/** The predicted class (argmax of the logits) of every row, in batches. */
export async function predict(model: Mlp, data: Split, batchSize = 1000): Promise<Int32Array> {
  const predictions = new Int32Array(data.count);
  for (let start = 0; start < data.count; start += batchSize) {
    const size = Math.min(batchSize, data.count - start);
    const classes = tidy(() => noGrad(() => {
      const x = tensor(data.images.subarray(start * data.features, (start + size) * data.features), [size, data.features]);
      return argmax(model.forward(x), 1);
    }));
    predictions.set(await classes.data() as Int32Array, start);
    classes.dispose();
  }
  return predictions;
}

export function accuracy(predictions: Int32Array, labels: Int32Array): number {
  let correct = 0;
  for (let i = 0; i < labels.length; i++) if (predictions[i] === labels[i]) correct++;
  return correct / labels.length;
}

function shuffledIndices(n: number, seed: number): Int32Array {
  const order = Int32Array.from({ length: n }, (_, i) => i);
  let state = seed >>> 0 || 1;
  for (let i = n - 1; i > 0; i--) {
    // xorshift32: the demo only needs a reproducible order
    state ^= state << 13; state >>>= 0;
    state ^= state >>> 17;
    state ^= state << 5; state >>>= 0;
    const j = state % (i + 1);
    [order[i], order[j]] = [order[j], order[i]];
  }
  return order;
}
