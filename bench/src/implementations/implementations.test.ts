import { memory } from '@dendrite/core';
import { describe, expect, it } from 'vitest';
import type { FashionMnist } from '../fashion-mnist.js';
import { isUnsupported } from '../implementation.js';
import { cnnParameters, mlpParameters } from '../parameters.js';
import { SeededRandom } from '@dendrite/datasets';
import { createDendriteImplementation } from './dendrite.js';
import { createTfjsImplementation } from './tfjs.js';

/** A synthetic batch of `size` images of 784 pixels in [0, 1], labels 0..9. */
function batch(size: number) {
  const random = new SeededRandom(11);
  const images = new Float32Array(size * 784).map(() => random.nextFloat());
  const labels = new Int32Array(size).map((_, index) => index % 10);
  return { images, labels };
}

/** A fit-loop row's data: `trainSize` training and `testSize` test images from {@link batch}. */
function fitData(trainSize: number, testSize: number): FashionMnist {
  const train = batch(trainSize);
  const test = batch(testSize);
  return { trainImages: train.images, trainLabels: train.labels, testImages: test.images, testLabels: test.labels };
}

/** An accuracy over `count` images: a whole number of them right, from none to all. */
function expectFractionOf(accuracy: number, count: number): void {
  expect(accuracy).toBeGreaterThanOrEqual(0);
  expect(accuracy).toBeLessThanOrEqual(1);
  expect(Math.abs(accuracy * count - Math.round(accuracy * count))).toBeLessThan(1e-5);
}

describe('Dendrite and tfjs compute the same MLP training step', () => {
  it('gives the same losses over three Adam steps and the same logits after', async () => {
    const { images, labels } = batch(32);
    const runs = [];
    for (const implementation of [await createDendriteImplementation(), await createTfjsImplementation('cpu')]) {
      const model = implementation.mlp(mlpParameters(5), 1e-3);
      const initialLogits = await model.predict(images.subarray(0, 4 * 784), 4);
      const losses = [];
      for (let step = 0; step < 3; step++) losses.push(await model.trainStep(images, labels, 32));
      const logits = await model.predict(images.subarray(0, 4 * 784), 4);
      model.dispose();
      runs.push({ initialLogits, losses, logits });
    }
    const [dendrite, tfjs] = runs;
    // Untrained, 10 classes: the first loss is near ln 10; training lowers it.
    expect(dendrite.losses[0]).toBeGreaterThan(1.5);
    expect(dendrite.losses[2]).toBeLessThan(dendrite.losses[0]);
    // The forward passes agree to float32 rounding, but the two Adams place epsilon differently
    // (tfjs adds it after bias correction), and Adam's sign-like steps amplify that a little.
    for (let index = 0; index < 40; index++) expect(dendrite.initialLogits[index]).toBeCloseTo(tfjs.initialLogits[index], 4);
    for (let step = 0; step < 3; step++) expect(dendrite.losses[step]).toBeCloseTo(tfjs.losses[step], 3);
    expect(dendrite.logits.length).toBe(40);
    for (let index = 0; index < 40; index++) expect(Math.abs(dendrite.logits[index] - tfjs.logits[index])).toBeLessThan(0.02);
  });

  it('runs conv2d forward and backward on both, and matmul', async () => {
    for (const implementation of [await createDendriteImplementation(), await createTfjsImplementation('cpu')]) {
      const conv = implementation.conv2dForwardBackward([2, 6, 6, 3], [3, 3, 3, 4]);
      expect(isUnsupported(conv)).toBe(false);
      if (!isUnsupported(conv)) {
        await conv.run();
        conv.dispose();
      }
      const product = implementation.matmul(16);
      await product.run();
      product.dispose();
    }
  });
});

describe('the Dendrite implementation', () => {
  it('frees every tensor of a model it trained and disposed', async () => {
    const implementation = await createDendriteImplementation();
    const before = memory().tensors;
    const { images, labels } = batch(8);
    const cnn = implementation.cnn(cnnParameters(1), 1e-3);
    if (isUnsupported(cnn)) throw new Error(cnn.unsupported);
    for (const model of [implementation.mlp(mlpParameters(1), 1e-3), cnn]) {
      for (let step = 0; step < 2; step++) expect(Number.isFinite(await model.trainStep(images, labels, 8))).toBe(true);
      expect((await model.predict(images, 8)).length).toBe(80);
      model.dispose();
    }
    expect(memory().tensors).toBe(before);
  });

  it('trains the MLP through Trainer.fit for the fit-loop row and frees every tensor after', async () => {
    const implementation = await createDendriteImplementation();
    const before = memory().tensors;
    const epoch = await implementation.mlpFit!(mlpParameters(1), 1e-3, fitData(64, 20), { batchSize: 16, seed: 7, batchLimit: 3 });
    expect(epoch).toMatchObject({ batchesRun: 3, batchesPerEpoch: 4 });
    expect(Number.isFinite(epoch.meanLoss)).toBe(true);
    expectFractionOf(epoch.testAccuracy, 20);
    expect(memory().tensors).toBe(before);
  });

  it('trains the layers CNN through Trainer.fit like the raw-ops CNN, and frees every tensor after', async () => {
    const implementation = await createDendriteImplementation();
    const before = memory().tensors;
    const data = fitData(32, 10);
    // One whole batch: no shuffle can change which images it holds, so the raw-ops CNN's first loss is the fit's.
    const epoch = await implementation.cnnFit!(cnnParameters(2), 1e-3, data, { batchSize: 32, seed: 7 });
    expect(epoch).toMatchObject({ batchesRun: 1, batchesPerEpoch: 1 });
    const raw = implementation.cnn(cnnParameters(2), 1e-3);
    if (isUnsupported(raw)) throw new Error(raw.unsupported);
    expect(epoch.meanLoss).toBeCloseTo(await raw.trainStep(data.trainImages, data.trainLabels, 32), 4);
    raw.dispose();
    expect(memory().tensors).toBe(before);
  });
});

describe('the fit-loop row', () => {
  it('runs TensorFlow.js layers model.fit on the same MLP and frees its tensors', async () => {
    const tf = await import('@tensorflow/tfjs-core');
    const implementation = await createTfjsImplementation('cpu');
    const before = tf.memory().numTensors;
    const epoch = await implementation.mlpFit!(mlpParameters(1), 1e-3, fitData(64, 20), { batchSize: 16, seed: 7, batchLimit: 3 });
    expect(epoch).toMatchObject({ batchesRun: 3, batchesPerEpoch: 4 });
    expect(Number.isFinite(epoch.meanLoss)).toBe(true);
    expectFractionOf(epoch.testAccuracy, 20);
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('the @dendrite/layers models are the raw-ops models', () => {
  it('gives the same losses and logits for the MLP and the CNN', async () => {
    const implementation = await createDendriteImplementation();
    const { images, labels } = batch(8);
    const cnn = implementation.cnn(cnnParameters(3), 1e-3);
    if (isUnsupported(cnn)) throw new Error('the Dendrite CNN is supported');
    for (const [raw, layered] of [
      [implementation.mlp(mlpParameters(3), 1e-3), implementation.layersMlp!(mlpParameters(3), 1e-3)],
      [cnn, implementation.layersCnn!(cnnParameters(3), 1e-3)],
    ]) {
      for (let step = 0; step < 2; step++) {
        expect(await layered.trainStep(images, labels, 8)).toBeCloseTo(await raw.trainStep(images, labels, 8), 5);
      }
      const [a, b] = [await raw.predict(images, 8), await layered.predict(images, 8)];
      for (let index = 0; index < a.length; index++) expect(b[index]).toBeCloseTo(a[index], 4);
      raw.dispose();
      layered.dispose();
    }
  });
});

describe('the int8 inference rows', () => {
  it('predict with the same weights as the float32 models, within int8 rounding, and leave no tensor behind', async () => {
    const implementation = await createDendriteImplementation();
    const { images } = batch(16);
    const cnn = implementation.cnn(cnnParameters(4), 1e-3);
    if (isUnsupported(cnn)) throw new Error('the Dendrite CNN is supported');
    for (const [float, int8] of [
      [implementation.mlp(mlpParameters(4), 1e-3), await implementation.int8Mlp!(mlpParameters(4))],
      [cnn, await implementation.int8Cnn!(cnnParameters(4))],
    ] as const) {
      const before = memory().tensors;
      const [expected, actual] = [await float.predict(images, 16), await int8.predict(images, 16)];
      expect(memory().tensors).toBe(before);
      expect(actual.length).toBe(expected.length);
      let scale = 0;
      let worst = 0;
      for (let index = 0; index < expected.length; index++) {
        scale = Math.max(scale, Math.abs(expected[index]));
        worst = Math.max(worst, Math.abs(actual[index] - expected[index]));
      }
      expect(worst).toBeGreaterThan(0); // really quantized
      expect(worst).toBeLessThan(0.05 * scale);
      float.dispose();
      int8.dispose();
    }
  });
});
