import { softmaxCrossEntropy, tensor } from '@dendrite/core';
import { Conv2D, Dense, Flatten, MaxPool2D, sequential } from '@dendrite/layers';
import { Adam } from '@dendrite/optimizers';
import { describe, expect, it } from 'vitest';
import { lossRecorder, weightsOf } from './test-support/models.js';
import { Trainer } from './trainer.js';

// @dendrite/layers runs a built-in Conv2D and the 2x2 MaxPool2D after it as core's conv2dMaxPool; a
// subclass of Conv2D is never fused. Through Trainer.fit both must train to the very same bits.
class UnfusedConv2D extends Conv2D {}

function setup(fused: boolean) {
  const Conv = fused ? Conv2D : UnfusedConv2D;
  const model = sequential([
    new Conv({ filters: 4, kernelSize: 5, padding: 'same', activation: 'relu' }), new MaxPool2D({ poolSize: 2 }),
    new Conv({ filters: 8, kernelSize: 5, padding: 'same', activation: 'relu' }), new MaxPool2D({ poolSize: 2 }),
    new Flatten(), new Dense({ units: 3 }),
  ], { seed: 3 });
  model.build([-1, 12, 12, 1]);
  const trainer = new Trainer(model, { optimizer: new Adam(model.parameters(), { learningRate: 0.01 }), loss: softmaxCrossEntropy });
  return { model, trainer };
}

describe('Conv2D + MaxPool2D through Trainer.fit', () => {
  it('trains fused and unfused to the same losses and weights, bit for bit', async () => {
    const count = 48;
    const images = new Float32Array(count * 12 * 12);
    const labels = new Int32Array(count);
    for (let n = 0; n < count; n++) {
      labels[n] = n % 3;
      // Each class lights a different band of rows, with a little deterministic texture.
      for (let i = 0; i < 144; i++) images[n * 144 + i] = (Math.floor(i / 48) === labels[n] ? 1 : 0) + 0.1 * Math.sin(n * 7 + i);
    }
    const data = { inputs: tensor(images, [count, 12, 12, 1], 'float32'), targets: tensor(labels, [count], 'int32') };
    const runs = [];
    for (const fused of [true, false]) {
      const run = setup(fused);
      const { losses, recorder } = lossRecorder();
      await run.trainer.fit(data, { epochs: 3, batchSize: 16, seed: 5, logEvery: 1, callbacks: [recorder] });
      runs.push({ ...run, losses });
    }
    const [fused, unfused] = runs;
    expect(fused.losses.length).toBe(9);
    expect(fused.losses).toEqual(unfused.losses);
    expect(fused.losses[8]).toBeLessThan(fused.losses[0]);
    expect(await weightsOf(fused.model.parameters())).toEqual(await weightsOf(unfused.model.parameters()));
    for (const run of runs) run.model.dispose();
    data.inputs.dispose();
    data.targets.dispose();
  });
});
