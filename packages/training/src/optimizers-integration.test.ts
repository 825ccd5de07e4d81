import { softmaxCrossEntropy, type Tensor } from '@dendrite/core';
import { Adam, AdamW, CosineDecay, ReduceLROnPlateau, SGD, type Optimizer } from '@dendrite/optimizers';
import { describe, expect, it } from 'vitest';
import type { Callback } from './callbacks/callback.js';
import { LearningRateScheduler } from './callbacks/learning-rate-scheduler.js';
import { decodeCheckpoint, encodeCheckpoint, type TrainingState } from './checkpoint-state.js';
import { createMlp, separableData, weightsOf } from './test-support/models.js';
import { Trainer } from './trainer.js';

// Resume and schedules with @dendrite/optimizers' own optimizers (stateDict/loadStateDict, AdamW, schedules).
describe('with @dendrite/optimizers', () => {
  const data = separableData(96, 11);
  const cases: Array<[string, (parameters: Tensor[]) => Optimizer]> = [
    ['Adam', (parameters) => new Adam(parameters, { learningRate: 0.01 })],
    ['AdamW', (parameters) => new AdamW(parameters, { learningRate: 0.01, weightDecay: 0.01 })],
    ['SGD', (parameters) => new SGD(parameters, { learningRate: 0.05, momentum: 0.9, nesterov: true })],
  ];
  for (const [name, make] of cases) {
    it(`${name} resumes bit-exactly from a mid-epoch checkpoint, under a cosine step schedule`, async () => {
      const setup = (seed: number) => {
        const model = createMlp([2, 16, 2], { seed, dropoutRate: 0.3 });
        const optimizer = make(model.parameters());
        return { model, optimizer, trainer: new Trainer(model, { optimizer, loss: softmaxCrossEntropy }) };
      };
      const cosine = () => new LearningRateScheduler(new CosineDecay({ initialLearningRate: 0.02, decaySteps: 24 }));
      const fitOptions = { epochs: 4, batchSize: 16, seed: 5, logEvery: 1 };
      const straight = setup(5);
      const full = await straight.trainer.fit(data, { ...fitOptions, callbacks: [cosine()] });
      const first = setup(5);
      let saved: TrainingState | undefined;
      const interrupt: Callback = {
        onBatchEnd: ({ progress }) => { if (progress.globalStep === 10) process.emit('SIGINT'); },
        onTrainEnd: async ({ trainer }) => { saved = await trainer.captureState(); },
      };
      await first.trainer.fit(data, { ...fitOptions, callbacks: [cosine(), interrupt] });
      expect(saved!.optimizer).toBeDefined();
      const second = setup(77);
      const resumed = await second.trainer.fit(data, { ...fitOptions, resumeFrom: decodeCheckpoint(encodeCheckpoint(saved!)), callbacks: [cosine()] });
      // Epoch 2 resumed mid-way (its running mean restarts); epochs 3 and 4 ran whole in both runs.
      expect(resumed.values.loss.slice(1)).toEqual(full.values.loss.slice(2));
      expect(await weightsOf(second.model.parameters())).toEqual(await weightsOf(straight.model.parameters()));
      expect(second.optimizer.learningRate).toBe(straight.optimizer.learningRate);
    });
  }

  it('ReduceLROnPlateau lowers the learning rate through LearningRateScheduler', async () => {
    const model = createMlp([2, 8, 2]);
    const optimizer = new Adam(model.parameters(), { learningRate: 0.01 });
    const trainer = new Trainer(model, { optimizer, loss: softmaxCrossEntropy });
    const plateau = new ReduceLROnPlateau({ initialLearningRate: 0.01, patience: 0, factor: 0.5 });
    const rates: number[] = [];
    const flatLoss: Callback = { onEpochEnd: ({ logs }) => { logs.loss = 1; } };
    const record: Callback = { onEpochEnd: () => { rates.push(optimizer.learningRate); } };
    await trainer.fit(separableData(32), { epochs: 3, batchSize: 16, callbacks: [flatLoss, new LearningRateScheduler(plateau, { monitor: 'loss' }), record] });
    expect(rates).toEqual([0.01, 0.005, 0.0025]);
  });
});
