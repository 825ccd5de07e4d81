import { softmaxCrossEntropy } from '@dendrite/core';
import { describe, expect, it } from 'vitest';
import { createMlp, MomentumSGD, separableData } from '../test-support/models.js';
import { Trainer } from '../trainer.js';
import type { Callback } from './callback.js';
import { EarlyStopping } from './early-stopping.js';
import { LearningRateScheduler } from './learning-rate-scheduler.js';

/** A callback that overwrites the logged `score` with a scripted sequence, one per epoch. */
const scripted = (scores: number[]): Callback => ({ onEpochEnd: ({ progress, logs }) => { logs.score = scores[progress.epoch]; } });

const setup = () => {
  const model = createMlp([2, 4, 2]);
  const optimizer = new MomentumSGD(model.parameters(), 0.1);
  return { model, optimizer, trainer: new Trainer(model, { optimizer, loss: softmaxCrossEntropy }) };
};

describe('EarlyStopping', () => {
  it('stops after `patience` epochs without an improvement larger than minDelta', async () => {
    const { trainer } = setup();
    const stopping = new EarlyStopping({ monitor: 'score', mode: 'min', patience: 2, minDelta: 0.05 });
    // Best 0.5 at epoch 2; 0.48 is not better by more than 0.05; stop after epochs 3 and 4.
    const history = await trainer.fit(separableData(16), { epochs: 10, batchSize: 8, callbacks: [scripted([1, 0.5, 0.48, 0.6, 0.1]), stopping] });
    expect(history.epochs).toEqual([1, 2, 3, 4]);
    expect(stopping.bestEpoch).toBe(2);
    expect(stopping.stoppedEpoch).toBe(4);
    expect(history.stopReason).toMatch(/early stopping: score did not improve on 0.5 \(epoch 2\) for 2 epoch/);
  });

  it('restores the weights of the best epoch', async () => {
    const { trainer, model } = setup();
    let bestWeights: number[] = [];
    const capture: Callback = { onEpochEnd: async ({ progress }) => { if (progress.epoch === 1) bestWeights = Array.from(await model.parameters()[2].data()); } };
    const stopping = new EarlyStopping({ monitor: 'score_accuracy', patience: 1, restoreBestWeights: true });
    const scores: Callback = { onEpochEnd: ({ progress, logs }) => { logs.score_accuracy = [0.5, 0.9, 0.7, 0.6][progress.epoch]; } };
    await trainer.fit(separableData(16), { epochs: 10, batchSize: 8, callbacks: [scores, capture, stopping] });
    expect(stopping.stoppedEpoch).toBe(3); // "accuracy" in the name: maximised
    expect(Array.from(await model.parameters()[2].data())).toEqual(bestWeights);
  });

  it('names the logged quantities when the monitored one is missing', async () => {
    const { trainer } = setup();
    await expect(trainer.fit(separableData(16), { epochs: 2, callbacks: [new EarlyStopping()] })).rejects.toThrow(/"val_loss" is not in the logs \(they have loss\)/);
  });

  it('rejects a patience or mode that would silently never stop or watch the wrong way', () => {
    expect(() => new EarlyStopping({ patience: Number.NaN })).toThrow(/EarlyStopping: patience must be an integer ≥ 0, got NaN/);
    expect(() => new EarlyStopping({ patience: -1 })).toThrow(/patience must be an integer ≥ 0, got -1/);
    expect(() => new EarlyStopping({ patience: 1.5 })).toThrow(/patience must be an integer ≥ 0, got 1.5/);
    expect(() => new EarlyStopping({ monitor: 'val_loss', mode: 'minimum' as never })).toThrow(/monitor "val_loss": mode must be 'min', 'max' or 'auto', got "minimum"/);
  });
});

describe('LearningRateScheduler', () => {
  it('refuses a schedule it could never call (it was accepted and did nothing)', () => {
    expect(() => new LearningRateScheduler(5 as never)).toThrow(/LearningRateScheduler: the schedule must be a function .* got number/);
    expect(() => new LearningRateScheduler({ learningRate: 0.1 } as never)).toThrow(/learningRateAt\(step\) or update\(metric\), got object/);
  });

  it('sets the learning rate per epoch from a function, per step from a schedule, and from a plateau schedule', async () => {
    const byEpoch = setup();
    const seen: number[] = [];
    const record: Callback = { onEpochEnd: () => { seen.push(byEpoch.optimizer.learningRate); } };
    await byEpoch.trainer.fit(separableData(16), { epochs: 3, batchSize: 8, callbacks: [new LearningRateScheduler((epoch) => 0.1 / (epoch + 1)), record] });
    expect(seen).toEqual([0.1, 0.05, 0.1 / 3]);

    const byStep = setup();
    const steps: number[] = [];
    await byStep.trainer.fit(separableData(16), { epochs: 2, batchSize: 8, callbacks: [new LearningRateScheduler({ learningRateAt: (step) => { steps.push(step); return 0.01 * step; } })] });
    expect(steps).toEqual([0, 1, 2, 3]);
    expect(byStep.optimizer.learningRate).toBeCloseTo(0.03, 10);

    const plateau = setup();
    const fed: number[] = [];
    await plateau.trainer.fit(separableData(16), { epochs: 2, batchSize: 8, callbacks: [new LearningRateScheduler({ update: (metric) => { fed.push(metric); return 0.5; } }, { monitor: 'loss' })] });
    expect(fed).toHaveLength(2);
    expect(plateau.optimizer.learningRate).toBe(0.5);
  });
});
