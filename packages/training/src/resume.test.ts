import { encodeSafetensorsHost, memory, softmaxCrossEntropy } from '@dendrite/core';
import { describe, expect, it } from 'vitest';
import type { Callback } from './callbacks/callback.js';
import { decodeCheckpoint, encodeCheckpoint, type TrainingState } from './checkpoint-state.js';
import { createMlp, lossRecorder, MomentumSGD, separableData, weightsOf } from './test-support/models.js';
import { Trainer } from './trainer.js';

// A model with dropout (core's global generator), shuffled batches and an optimizer with momentum
// state: resuming must reproduce every batch loss and the final weights bit for bit.
function setup(initialSeed = 5, ownGenerator = false) {
  const model = createMlp([2, 16, 2], { seed: initialSeed, dropoutRate: 0.3, ownGenerator });
  const optimizer = new MomentumSGD(model.parameters(), 0.05, 0.9);
  const trainer = new Trainer(model, { optimizer, loss: softmaxCrossEntropy });
  const { losses: batchLosses, recorder } = lossRecorder();
  return { model, trainer, batchLosses, recorder };
}

const data = separableData(96, 11);
const options = { epochs: 4, batchSize: 16, seed: 1234, logEvery: 1 };

describe('resume from a checkpoint', () => {
  it('continues an interrupted run (mid-epoch) with the same loss curve and weights as an uninterrupted one', async () => {
    const straight = setup();
    await straight.trainer.fit(data, { ...options, callbacks: [straight.recorder] });

    const first = setup();
    let saved: TrainingState | undefined;
    const stopAt: Callback = {
      onBatchEnd: async ({ progress, trainer }) => {
        if (progress.globalStep === 9) {
          trainer.stopTraining = true;
          process.emit('SIGINT');
        }
      },
      onTrainEnd: async ({ trainer }) => { saved = await trainer.captureState(); },
    };
    await first.trainer.fit(data, { ...options, callbacks: [first.recorder, stopAt] });
    expect(saved!.progress).toEqual({ epoch: 1, stepInEpoch: 3, globalStep: 9, seed: 1234 });

    // A fresh process: new model and optimizer (different initial weights), state from bytes.
    const second = setup(99);
    const state = decodeCheckpoint(encodeCheckpoint(saved!));
    const history = await second.trainer.fit(data, { ...options, resumeFrom: state, callbacks: [second.recorder] });

    expect(history.epochs).toEqual([2, 3, 4]);
    expect(second.batchLosses.length).toBe(straight.batchLosses.length);
    expect(await weightsOf(second.model.parameters())).toEqual(await weightsOf(straight.model.parameters()));
    // The recorder keeps each epoch's running loss sums: the interrupted run's first 9 steps match.
    expect(first.batchLosses.slice(0, 9)).toEqual(straight.batchLosses.slice(0, 9));
    // Epochs 3 and 4 ran whole in both runs: their running losses must be identical.
    expect(second.batchLosses.slice(12)).toEqual(straight.batchLosses.slice(12));
  });

  it('continues from an epoch boundary with identical epoch losses, also when the model draws dropout from its own generator', async () => {
    for (const ownGenerator of [false, true]) {
      const straight = setup(5, ownGenerator);
      const full = await straight.trainer.fit(data, options);
      const first = setup(5, ownGenerator);
      await first.trainer.fit(data, { ...options, epochs: 2 });
      const before = memory().tensors;
      const state = decodeCheckpoint(encodeCheckpoint(await first.trainer.captureState()));
      expect(memory().tensors).toBe(before); // the optimizer's state copies were freed
      // A fresh model whose own generator starts elsewhere: the per-step reseed puts it back in step.
      const second = setup(99, ownGenerator);
      const resumed = await second.trainer.fit(data, { ...options, resumeFrom: state });
      expect(resumed.values.loss).toEqual(full.values.loss.slice(2));
      expect(await weightsOf(second.model.parameters())).toEqual(await weightsOf(straight.model.parameters()));
    }
  });

  it('refuses a checkpoint of another architecture, or bytes that are not a training checkpoint, naming why', async () => {
    const trained = setup();
    await trained.trainer.fit(data, { ...options, epochs: 1 });
    const state = await trained.trainer.captureState();
    const narrower = createMlp([2, 8, 2]);
    const other = new Trainer(narrower, { optimizer: new MomentumSGD(narrower.parameters()), loss: softmaxCrossEntropy });
    expect(() => other.restore(state)).toThrow(/weight "parameters.0" has shape \[2,16\], the parameter dense0.weight \[2,8\]/);
    expect(() => decodeCheckpoint(encodeSafetensorsHost({ w: { dtype: 'float32', shape: [1], data: new Float32Array(1) } }))).toThrow(/not a Dendrite training checkpoint/);
  });
});
