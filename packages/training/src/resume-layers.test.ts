import { softmaxCrossEntropy } from '@dendrite/core';
import { Dense, Dropout, sequential } from '@dendrite/layers';
import { Adam } from '@dendrite/optimizers';
import { describe, expect, it } from 'vitest';
import type { Callback } from './callbacks/callback.js';
import { decodeCheckpoint, encodeCheckpoint, type TrainingState } from './checkpoint-state.js';
import { lossRecorder, separableData, weightsOf } from './test-support/models.js';
import { Trainer } from './trainer.js';

// A @dendrite/layers model whose Dropout layers draw their masks from their own generators: a
// seeded fit reseeds them (Layer.reseed) before every step, so a run resumed in a fresh model
// draws the masks the uninterrupted run drew and ends with bit-identical weights.
function setup(initialSeed: number) {
  const model = sequential([
    new Dense({ units: 16, activation: 'relu' }), new Dropout({ rate: 0.3 }),
    new Dense({ units: 16, activation: 'relu' }), new Dropout({ rate: 0.2 }), new Dense({ units: 2 }),
  ], { seed: initialSeed });
  model.build([-1, 2]);
  const optimizer = new Adam(model.parameters(), { learningRate: 0.01 });
  const trainer = new Trainer(model, { optimizer, loss: softmaxCrossEntropy });
  const { losses, recorder } = lossRecorder();
  return { model, trainer, losses, recorder };
}

const data = separableData(96, 11);
const options = { epochs: 3, batchSize: 16, seed: 77, logEvery: 1 };

describe('resume with a @dendrite/layers model that has Dropout layers', () => {
  it('gives the uninterrupted run\'s losses and weights bit for bit, from a mid-epoch checkpoint', async () => {
    const straight = setup(5);
    await straight.trainer.fit(data, { ...options, callbacks: [straight.recorder] });

    const first = setup(5);
    let saved: TrainingState | undefined;
    const stopAt: Callback = {
      onBatchEnd: ({ progress, trainer }) => { if (progress.globalStep === 8) trainer.stopTraining = true; },
      onTrainEnd: async ({ trainer }) => { saved = await trainer.captureState(); },
    };
    await first.trainer.fit(data, { ...options, callbacks: [first.recorder, stopAt] });
    expect(saved!.progress.globalStep).toBe(8);

    // A fresh model with other initial weights and generators: the checkpoint and the per-step
    // reseed must put both back in step.
    const second = setup(99);
    await second.trainer.fit(data, { ...options, resumeFrom: decodeCheckpoint(encodeCheckpoint(saved!)), callbacks: [second.recorder] });
    expect(await weightsOf(second.model.parameters())).toEqual(await weightsOf(straight.model.parameters()));
    expect(first.losses.slice(0, 8)).toEqual(straight.losses.slice(0, 8));
    // The last two epochs ran whole in both runs.
    expect(second.losses.slice(12)).toEqual(straight.losses.slice(12));
    for (const run of [straight, first, second]) run.model.dispose();
  });

  it('needs the reseed: a model whose reseed is hidden from the trainer resumes onto other weights', async () => {
    const hideReseed = (run: ReturnType<typeof setup>) => Object.assign(run.model, { reseed: undefined });
    const straight = setup(5);
    hideReseed(straight);
    await straight.trainer.fit(data, options);
    const first = setup(5);
    hideReseed(first);
    await first.trainer.fit(data, { ...options, epochs: 1 });
    const state = decodeCheckpoint(encodeCheckpoint(await first.trainer.captureState()));
    const second = setup(99);
    hideReseed(second);
    await second.trainer.fit(data, { ...options, resumeFrom: state });
    expect(await weightsOf(second.model.parameters())).not.toEqual(await weightsOf(straight.model.parameters()));
    for (const run of [straight, first, second]) run.model.dispose();
  });
});
