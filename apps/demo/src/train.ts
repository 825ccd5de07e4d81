import { argmax, equal, noGrad, softmaxCrossEntropy, sum, tensor, tidy, variableGrads } from '@dendrite/core';
import { Dataset, tensorBatches } from '@dendrite/datasets';
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

/**
 * `data` as a pipeline of examples (an image row and its int32 label), batched by @dendrite/datasets:
 * labels stay Int32Array, so `tensorBatches` makes them int32 class indices for softmaxCrossEntropy.
 */
function examples(data: Split) {
  return Dataset.fromTensorSlices({
    image: { data: data.images.subarray(0, data.count * data.features), shape: [data.count, data.features] },
    label: data.labels.subarray(0, data.count),
  });
}

/** One epoch of Adam over a seeded shuffle of `data`; `onBatch` sees progress. */
export async function trainEpoch(
  model: Mlp, optimizer: Adam, data: Split, options: { batchSize: number; seed: number; onBatch?: (done: number, total: number, loss: number) => void },
): Promise<EpochResult> {
  const start = performance.now();
  const batches = examples(data).shuffle({ seed: options.seed }).batch(options.batchSize);
  const total = Math.ceil(data.count / options.batchSize);
  let done = 0;
  let lossSum = 0;
  let correct = 0;
  // The batch's tensors are disposed by tensorBatches when the next batch comes.
  for await (const { image, label } of tensorBatches(batches, tensor)) {
    const size = label.shape[0];
    const [loss, hits] = tidy(() => {
      // The hit count leaves the step as an auxiliary output: detached from the graph, kept alive.
      const { value, aux, grads } = variableGrads(() => {
        const logits = model.forward(image);
        return [softmaxCrossEntropy(logits, label), sum(equal(argmax(logits, 1), label))] as const;
      }, model.parameters, { hasAux: true });
      optimizer.step(grads);
      return [value, aux];
    });
    const lossValue = (await loss.data())[0];
    lossSum += lossValue * size;
    correct += (await hits.data())[0];
    loss.dispose();
    hits.dispose();
    options.onBatch?.(++done, total, lossValue);
  }
  return { loss: lossSum / data.count, accuracy: correct / data.count, seconds: (performance.now() - start) / 1000 };
}

/** The predicted class (argmax of the logits) of every row, in batches. */
export async function predict(model: Mlp, data: Split, batchSize = 1000): Promise<Int32Array> {
  const predictions = new Int32Array(data.count);
  let start = 0;
  for await (const { image } of tensorBatches(examples(data).batch(batchSize), tensor)) {
    const classes = tidy(() => noGrad(() => argmax(model.forward(image), 1)));
    const values = await classes.data() as Int32Array;
    predictions.set(values, start);
    start += values.length;
    classes.dispose();
  }
  return predictions;
}

export function accuracy(predictions: Int32Array, labels: Int32Array): number {
  let correct = 0;
  for (let i = 0; i < labels.length; i++) if (predictions[i] === labels[i]) correct++;
  return correct / labels.length;
}
