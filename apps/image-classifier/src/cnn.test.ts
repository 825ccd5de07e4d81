// Issue 11's CNN proof at CI size: the recipe (`train --model cnn`, the same code and schedule) on the
// first 10,000 training images for 2 epochs, measured on all 10,000 test images. The full recipe
// (60,000 images, 10 epochs, ≥ 92%) is `pnpm classifier train --model cnn`; its numbers are in the README.
import { describe, expect, it } from 'vitest';
import { memory } from '@dendrite/core';
import { loadImageData } from './data.js';
import { trainClassifier } from './train.js';

describe('the CNN recipe, reduced (10,000 images, 2 epochs)', () => {
  it('reaches at least 85% test accuracy and leaks no tensors', async () => {
    const dataset = await loadImageData();
    const before = memory().tensors;
    const { info, history } = await trainClassifier({ dataset, model: 'cnn', epochs: 2, trainLimit: 10_000, progress: false });
    console.log(`CNN, 10,000 images, 2 epochs: test accuracy ${(info.training.testAccuracy * 100).toFixed(2)}% in ${info.training.seconds.toFixed(1)} s`);
    expect(history.epochs).toHaveLength(2);
    expect(history.values.loss[1]).toBeLessThan(history.values.loss[0]);
    expect(info.training.testAccuracy).toBeGreaterThan(0.85);
    expect(memory().tensors).toBe(before);
  });
});
