import { describe, expect, it } from 'vitest';
import { memory, ready } from '@dendrite/core';
import { Adam } from '@dendrite/optimizers';
import { loadFashionMnist } from './data.js';
import { createMlp } from './mlp.js';
import { accuracy, predict, trainEpoch } from './train.js';

describe('Fashion-MNIST MLP (reduced: one epoch on 20,000 images)', () => {
  it('reaches at least 80% test accuracy and leaks no tensors', async () => {
    await ready();
    const { train, test } = await loadFashionMnist();
    const subset = { ...train, count: 20000, images: train.images.subarray(0, 20000 * train.features), labels: train.labels.subarray(0, 20000) };
    const model = createMlp([train.features, 128, 64, 10]);
    const optimizer = new Adam(model.parameters, { learningRate: 1e-3 });
    await trainEpoch(model, optimizer, subset, { batchSize: 128, seed: 1 });
    const before = memory().tensors;
    const result = await trainEpoch(model, optimizer, { ...subset, count: 2560 }, { batchSize: 128, seed: 2 });
    expect(memory().tensors).toBe(before);
    expect(result.loss).toBeLessThan(0.6);
    const testAccuracy = accuracy(await predict(model, test), test.labels);
    expect(testAccuracy).toBeGreaterThan(0.8);
  });
});
