import { CLASS_COUNT, PIXELS_PER_IMAGE, type FashionMnist } from './fashion-mnist.js';
import type { Classifier } from './implementation.js';
import { SeededRandom } from './random.js';

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
  const order = new SeededRandom(options.seed).permutation(imageCount);
  // One buffer reused for every batch: the model copies it into a tensor each step.
  const batchImages = new Float32Array(batchSize * PIXELS_PER_IMAGE);
  const batchLabels = new Int32Array(batchSize);
  let lossSum = 0;
  const start = performance.now();
  for (let batch = 0; batch < batchesToRun; batch++) {
    const first = batch * batchSize;
    const count = Math.min(batchSize, imageCount - first);
    for (let row = 0; row < count; row++) {
      const image = order[first + row];
      batchImages.set(data.trainImages.subarray(image * PIXELS_PER_IMAGE, (image + 1) * PIXELS_PER_IMAGE), row * PIXELS_PER_IMAGE);
      batchLabels[row] = data.trainLabels[image];
    }
    const loss = await model.trainStep(batchImages.subarray(0, count * PIXELS_PER_IMAGE), batchLabels.subarray(0, count), count);
    if (!Number.isFinite(loss)) throw new Error(`training diverged: loss ${loss} at batch ${batch + 1}`);
    lossSum += loss;
  }
  const seconds = (performance.now() - start) / 1000;
  return { seconds, meanLoss: lossSum / batchesToRun, batchesRun: batchesToRun, batchesPerEpoch };
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
