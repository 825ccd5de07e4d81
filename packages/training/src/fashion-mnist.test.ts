import { describe, expect, it } from 'vitest';
import { fashionMnistFolder, trainFashionMnistMlp } from '../scripts/fashion-mnist-mlp.js';

// The reduced CI version of the README's proof (the full run: `pnpm --filter @dendrite/training fashion-mnist`).
const folder = fashionMnistFolder();
if (!folder) console.warn('Skipping the Fashion-MNIST proof: set DENDRITE_DATA to a folder holding fashion-mnist/.');

describe.skipIf(!folder)('Fashion-MNIST MLP 784-128-64-10 through Trainer.fit (reduced: 12k images, 3 epochs)', () => {
  it('reaches at least 82% test accuracy on all 10,000 test images', async () => {
    const { history, testAccuracy } = await trainFashionMnistMlp({ folder: folder!, epochs: 3, trainLimit: 12_000 });
    expect(history.epochs).toEqual([1, 2, 3]);
    expect(history.values.loss[2]).toBeLessThan(history.values.loss[0]);
    expect(history.values.val_accuracy[2]).toBe(testAccuracy);
    expect(testAccuracy).toBeGreaterThanOrEqual(0.82);
  });
});
