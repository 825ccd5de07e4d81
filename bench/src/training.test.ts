import { describe, expect, it } from 'vitest';
import { PIXELS_PER_IMAGE, type FashionMnist } from './fashion-mnist.js';
import type { Classifier } from './implementation.js';
import { Dataset } from '@dendrite/datasets';
import { argmaxRows, testAccuracy, trainEpoch } from './training.js';

/** A tiny data set whose images carry their own index in the first pixel. */
function indexedData(trainCount: number, testCount: number): FashionMnist {
  const make = (count: number) => {
    const images = new Float32Array(count * PIXELS_PER_IMAGE);
    const labels = new Int32Array(count);
    for (let index = 0; index < count; index++) {
      images[index * PIXELS_PER_IMAGE] = index;
      labels[index] = index % 10;
    }
    return { images, labels };
  };
  const train = make(trainCount);
  const test = make(testCount);
  return { trainImages: train.images, trainLabels: train.labels, testImages: test.images, testLabels: test.labels };
}

/** Records what it was trained on; predicts label = image index mod 10 (right) for even indices only. */
function recordingClassifier() {
  const seen: number[] = [];
  const batchSizes: number[] = [];
  const model: Classifier = {
    async trainStep(images, labels, batchSize) {
      batchSizes.push(batchSize);
      for (let row = 0; row < batchSize; row++) {
        const index = images[row * PIXELS_PER_IMAGE];
        expect(labels[row]).toBe(index % 10);
        seen.push(index);
      }
      return 1 / batchSizes.length;
    },
    async predict(images, batchSize) {
      const logits = new Float32Array(batchSize * 10);
      for (let row = 0; row < batchSize; row++) {
        const index = images[row * PIXELS_PER_IMAGE];
        logits[row * 10 + (index % 2 === 0 ? index % 10 : (index + 1) % 10)] = 1;
      }
      return logits;
    },
    dispose() {},
  };
  return { model, seen, batchSizes };
}

describe('trainEpoch', () => {
  it('visits every training image once, in a seeded shuffled order, with a short last batch', async () => {
    const data = indexedData(250, 10);
    const { model, seen, batchSizes } = recordingClassifier();
    const epoch = await trainEpoch(model, data, 100, { seed: 3 });
    expect(batchSizes).toEqual([100, 100, 50]);
    expect([...seen].sort((a, b) => a - b)).toEqual(Array.from({ length: 250 }, (_, index) => index));
    // The order of @dendrite/datasets' seeded shuffle (the generator core's random ops use too).
    expect(seen).toEqual(await Dataset.range(250).shuffle({ seed: 3 }).toArray());
    expect(epoch.batchesRun).toBe(3);
    expect(epoch.batchesPerEpoch).toBe(3);
    expect(epoch.meanLoss).toBeCloseTo((1 + 1 / 2 + 1 / 3) / 3);
  });

  it('stops after batchLimit batches', async () => {
    const { model, batchSizes } = recordingClassifier();
    const epoch = await trainEpoch(model, indexedData(250, 10), 100, { seed: 3, batchLimit: 2 });
    expect(batchSizes).toEqual([100, 100]);
    expect(epoch.batchesRun).toBe(2);
    expect(epoch.batchesPerEpoch).toBe(3);
  });

  it('stops with an error when the loss is not finite', async () => {
    const diverging: Classifier = { trainStep: async () => Number.NaN, predict: async () => new Float32Array(), dispose() {} };
    await expect(trainEpoch(diverging, indexedData(10, 10), 5, { seed: 1 })).rejects.toThrow(/diverged: loss NaN at batch 1/);
  });
});

describe('testAccuracy and argmaxRows', () => {
  it('picks the largest logit of each row', () => {
    const logits = new Float32Array(20);
    logits[3] = 2;
    logits[10 + 9] = 0.5;
    expect([...argmaxRows(logits, 2)]).toEqual([3, 9]);
  });

  it('counts correct predictions over batches and honours imageLimit', async () => {
    const { model } = recordingClassifier();
    const data = indexedData(10, 30);
    expect(await testAccuracy(model, data, { batchSize: 7 })).toBeCloseTo(0.5);
    expect(await testAccuracy(model, data, { batchSize: 7, imageLimit: 3 })).toBeCloseTo(2 / 3);
  });
});
