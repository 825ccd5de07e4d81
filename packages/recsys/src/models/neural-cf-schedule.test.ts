import { describe, expect, it } from 'vitest';
import { DendriteError } from '@dendrite/core';
import { loadRecommender } from '../registry.js';
import { twoGroups } from '../test-support.js';
import { NeuralCf, type NeuralCfOptions } from './neural-cf.js';

const USERS = Int32Array.from({ length: 48 }, (_, pair) => pair % 12);
const ITEMS = Int32Array.from({ length: 48 }, (_, pair) => Math.floor(pair / 4) % 12);

/** Logits of fixed (user, item) pairs after `epochs` epochs of a small NeuMF with `options`. */
async function scoresAfter(epochs: number, options: NeuralCfOptions): Promise<Float32Array> {
  const model = new NeuralCf({ architecture: 'neumf', factors: 4, mlpLayers: [8, 4], batchSize: 8, ...options });
  await model.fit(twoGroups(), { epochs, seed: 3 });
  const scores = await model.scorePairs(USERS, ITEMS);
  model.dispose();
  return scores;
}

function largestDifference(a: Float32Array, b: Float32Array): number {
  let largest = 0;
  for (let index = 0; index < a.length; index++) largest = Math.max(largest, Math.abs(a[index] - b[index]));
  return largest;
}

describe('NeuralCf learningRateDecay', () => {
  // A vanishing decay leaves epoch 1 at the full rate and stops every later step: three epochs end where one did.
  for (const options of [{ optimizer: 'adam' }, { optimizer: 'sgd', learningRate: 0.5 }, { embeddingUpdates: 'lazy' }] as NeuralCfOptions[]) {
    it(`applies the decayed rate from the second epoch on (${JSON.stringify(options)})`, async () => {
      const oneEpoch = await scoresAfter(1, { ...options, learningRateDecay: 1e-9 });
      const decayed = await scoresAfter(3, { ...options, learningRateDecay: 1e-9 });
      const constant = await scoresAfter(3, options);
      expect(largestDifference(oneEpoch, await scoresAfter(1, options))).toBe(0);
      expect(largestDifference(decayed, oneEpoch)).toBeLessThan(1e-5);
      expect(largestDifference(constant, oneEpoch)).toBeGreaterThan(1e-3);
    });
  }

  it('keeps the decay in a saved config and refuses a non-positive one by name', async () => {
    const model = new NeuralCf({ architecture: 'gmf', factors: 4, learningRateDecay: 0.8 });
    await model.fit(twoGroups(), { epochs: 1, seed: 1 });
    const loaded = loadRecommender(await model.save()) as NeuralCf;
    expect(loaded.learningRateDecay).toBe(0.8);
    loaded.dispose();
    model.dispose();
    expect(new NeuralCf().learningRateDecay).toBe(1);
    for (const bad of [0, -0.5, Number.NaN]) {
      expect(() => new NeuralCf({ learningRateDecay: bad })).toThrow(DendriteError);
      expect(() => new NeuralCf({ learningRateDecay: bad })).toThrow(/learningRateDecay/);
    }
  });
});
