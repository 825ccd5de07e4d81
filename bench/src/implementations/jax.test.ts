import { SeededRandom } from '@dendrite/datasets';
import { describe, expect, it } from 'vitest';
import { isUnsupported, type Classifier } from '../implementation.js';
import { cnnParameters, mlpParameters } from '../parameters.js';
import { createDendriteImplementation } from './dendrite.js';
import { createJaxImplementation } from './jax.js';

function batch(size: number) {
  const random = new SeededRandom(13);
  return { images: new Float32Array(size * 784).map(() => random.nextFloat()), labels: new Int32Array(size).map((_, index) => (index * 7) % 10) };
}

/** Three Adam steps, then the logits of the first 4 images. */
async function train(model: Classifier | { unsupported: string }, images: Float32Array, labels: Int32Array, size: number) {
  if (isUnsupported(model)) throw new Error(model.unsupported);
  const losses = [];
  for (let step = 0; step < 3; step++) losses.push(await model.trainStep(images, labels, size));
  const logits = await model.predict(images.subarray(0, 4 * 784), 4);
  model.dispose();
  return { losses, logits };
}

describe('jax-js computes the same models as Dendrite', () => {
  it('gives the same MLP and CNN losses over three Adam steps, and the same logits after', async () => {
    const jax = await createJaxImplementation();
    const dendrite = await createDendriteImplementation();
    const { images, labels } = batch(16);
    for (const [make, parameters] of [['mlp', mlpParameters(5)], ['cnn', cnnParameters(5)]] as const) {
      const ours = await train(dendrite[make](parameters, 1e-3), images, labels, 16);
      const theirs = await train(jax[make](parameters, 1e-3), images, labels, 16);
      expect(ours.losses[2]).toBeLessThan(ours.losses[0]);
      for (let step = 0; step < 3; step++) expect(theirs.losses[step]).toBeCloseTo(ours.losses[step], 3);
      expect(theirs.logits.length).toBe(40);
      for (let index = 0; index < 40; index++) expect(Math.abs(theirs.logits[index] - ours.logits[index])).toBeLessThan(0.02);
    }
  });

  it('runs matmul and conv2d forward and backward', async () => {
    const jax = await createJaxImplementation();
    expect(jax.describe()).toMatch(/^@jax-js\/jax .*wasm device, 1 thread/);
    const conv = jax.conv2dForwardBackward([2, 6, 6, 3], [3, 3, 3, 4]);
    if (isUnsupported(conv)) throw new Error(conv.unsupported);
    await conv.run();
    conv.dispose();
    const product = jax.matmul(16);
    await product.run();
    await product.run();
    product.dispose();
  });
});
