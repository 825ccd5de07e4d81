import { CLASS_COUNT, PIXELS_PER_IMAGE, type FashionMnist } from './fashion-mnist.js';
import type { Classifier } from './implementation.js';
import { Dataset } from '@dendrite/datasets';

/** What one (possibly partial) epoch did. */
export interface EpochResult {
  /** Wall time of the batches that ran: gathering them, the training steps, reading each loss. */
  seconds: number;
  meanLoss: number;
  batchesRun: number;
  batchesPerEpoch: number;
}

/**
 * Train `model` on the training set in shuffled batches (the same order for every implementation),
 * stopping after `batchLimit` batches when given.
 */
export async function trainEpoch(
  model: Classifier,
  data: FashionMnist,
  batchSize: number,
  options: { seed: number; batchLimit?: number },
): Promise<EpochResult> {
  const imageCount = data.trainLabels.length;
  const batchesPerEpoch = Math.ceil(imageCount / batchSize);
  const batchesToRun = Math.min(batchesPerEpoch, options.batchLimit ?? batchesPerEpoch);
  // @dendrite/datasets' pipeline: a seeded shuffle, then whole batches of rows (labels stay Int32Array).
  const batches = Dataset.fromTensorSlices({ image: { data: data.trainImages, shape: [imageCount, PIXELS_PER_IMAGE] }, label: data.trainLabels })
    .shuffle({ seed: options.seed })
    .batch(batchSize)
    .take(batchesToRun);
  let lossSum = 0;
  let batch = 0;
  const start = performance.now();
  for await (const { image, label } of batches) {
    batch++;
    const loss = await model.trainStep(image.data, label.data, label.shape[0]);
    if (!Number.isFinite(loss)) throw new Error(`training diverged: loss ${loss} at batch ${batch}`);
    lossSum += loss;
  }
  const seconds = (performance.now() - start) / 1000;
  return { seconds, meanLoss: lossSum / batchesToRun, batchesRun: batchesToRun, batchesPerEpoch };
}

/**
 * The order in which `trainEpoch` (with this seed) visits the `count` training images: the same seeded
 * @dendrite/datasets shuffle over the image indices. Handed to implementations in other processes
 * (PyTorch) so they see the very same batches.
 */
export async function epochOrder(count: number, seed: number): Promise<Int32Array> {
  const indices = Int32Array.from({ length: count }, (_, index) => index);
  for await (const { index } of Dataset.fromTensorSlices({ index: indices }).shuffle({ seed }).batch(count)) return index.data as Int32Array;
  throw new Error(`epochOrder: no batch came out of ${count} indices`);
}

/** Index of the largest of each row's 10 logits. */
export function argmaxRows(logits: Float32Array, rows: number): Int32Array {
  const predictions = new Int32Array(rows);
  for (let row = 0; row < rows; row++) {
    let best = 0;
    for (let column = 1; column < CLASS_COUNT; column++) {
      if (logits[row * CLASS_COUNT + column] > logits[row * CLASS_COUNT + best]) best = column;
    }
    predictions[row] = best;
  }
  return predictions;
}

/** Accuracy of `model` on the first `imageLimit` test images (all when omitted), in batches. */
export async function testAccuracy(model: Classifier, data: FashionMnist, options: { batchSize: number; imageLimit?: number }): Promise<number> {
  const total = Math.min(data.testLabels.length, options.imageLimit ?? data.testLabels.length);
  let correct = 0;
  for (let first = 0; first < total; first += options.batchSize) {
    const count = Math.min(options.batchSize, total - first);
    const logits = await model.predict(data.testImages.subarray(first * PIXELS_PER_IMAGE, (first + count) * PIXELS_PER_IMAGE), count);
    const predictions = argmaxRows(logits, count);
    for (let row = 0; row < count; row++) if (predictions[row] === data.testLabels[first + row]) correct++;
  }
  return correct / total;
}
