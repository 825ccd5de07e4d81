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

  // The bar's honesty check: the same reduced run for several seeds (weights and shuffle), printed, each
  // held to the same 80% bar. DEMO_SEED_SWEEP=8 pnpm --filter @dendrite/demo test (about a minute a seed on 2 cores).
  const sweep = Number(process.env.DEMO_SEED_SWEEP ?? 0);
  it.runIf(sweep > 0)(`the 1-epoch accuracy across ${sweep} seeds clears the bar`, async () => {
    await ready();
    const { train, test } = await loadFashionMnist();
    const subset = { ...train, count: 20000, images: train.images.subarray(0, 20000 * train.features), labels: train.labels.subarray(0, 20000) };
    const accuracies: number[] = [];
    for (let seed = 1; seed <= sweep; seed++) {
      const model = createMlp([train.features, 128, 64, 10], seed);
      const optimizer = new Adam(model.parameters, { learningRate: 1e-3 });
      await trainEpoch(model, optimizer, subset, { batchSize: 128, seed });
      await trainEpoch(model, optimizer, { ...subset, count: 2560 }, { batchSize: 128, seed: seed + 1000 });
      accuracies.push(accuracy(await predict(model, test), test.labels));
      optimizer.dispose?.();
      for (const parameter of model.parameters) parameter.dispose();
      console.log(`seed ${seed}: test accuracy ${(accuracies[accuracies.length - 1] * 100).toFixed(2)}%`);
    }
    const mean = accuracies.reduce((total, value) => total + value, 0) / accuracies.length;
    console.log(`min ${(Math.min(...accuracies) * 100).toFixed(2)}%, mean ${(mean * 100).toFixed(2)}%, max ${(Math.max(...accuracies) * 100).toFixed(2)}%`);
    for (const value of accuracies) expect(value).toBeGreaterThan(0.8);
  });
});
