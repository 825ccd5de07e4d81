import { describe, expect, it } from 'vitest';
import { tensor, variable } from '@dendrite/core';
import { expectClose } from '@dendrite/core/testing';
import { SGD } from '../sgd.js';
import { CosineDecay } from './cosine-decay.js';
import { ExponentialDecay } from './exponential-decay.js';
import { LinearWarmup } from './linear-warmup.js';
import { OneCycle } from './one-cycle.js';
import { ReduceLROnPlateau } from './reduce-on-plateau.js';
import { applyLearningRateSchedule } from './schedule.js';
import { StepDecay } from './step-decay.js';

describe('schedules', () => {
  it('linear warm-up ramps to the next schedule, which then starts at its own step 0', () => {
    const schedule = new LinearWarmup({ warmupSteps: 4, then: new ExponentialDecay({ initialLearningRate: 0.1, gamma: 0.5 }) });
    expectClose([0, 1, 2, 3, 4, 5, 6].map((s) => schedule.learningRateAt(s)), [0, 0.025, 0.05, 0.075, 0.1, 0.05, 0.025], { atol: 1e-15 });
    const constant = new LinearWarmup({ warmupSteps: 2, then: 1, initialLearningRate: 0.5 });
    expectClose([0, 1, 2, 10].map((s) => constant.learningRateAt(s)), [0.5, 0.75, 1, 1], { atol: 1e-15 });
  });

  it('cosine decay without restarts stays at the minimum after decaySteps', () => {
    const schedule = new CosineDecay({ initialLearningRate: 1, decaySteps: 4, minimumLearningRate: 0.1 });
    expect(schedule.learningRateAt(2)).toBeCloseTo(0.55, 12);
    expect(schedule.learningRateAt(4)).toBeCloseTo(0.1, 12);
    expect(schedule.learningRateAt(100)).toBeCloseTo(0.1, 12);
  });

  it('one-cycle holds its final rate after the last step', () => {
    const schedule = new OneCycle({ maximumLearningRate: 1, totalSteps: 10 });
    expect(schedule.learningRateAt(9)).toBeCloseTo(1 / 25 / 1e4, 12);
    expect(schedule.learningRateAt(50)).toBe(schedule.learningRateAt(9));
  });

  it('reduce-on-plateau reports its current rate through learningRateAt', () => {
    const plateau = new ReduceLROnPlateau({ initialLearningRate: 1, patience: 0 });
    plateau.update(1);
    expect(plateau.update(2)).toBeCloseTo(0.1, 12);
    expect(plateau.learningRateAt()).toBeCloseTo(0.1, 12);
    expect(() => plateau.update(NaN)).toThrow('ReduceLROnPlateau.update: metric must be a number, got NaN');
  });

  it('applyLearningRateSchedule sets every group or one group', () => {
    const a = variable(tensor([1]));
    const b = variable(tensor([1]));
    const sgd = new SGD([{ params: [a] }, { params: [b], learningRate: 5 }], { learningRate: 1 });
    const schedule = new StepDecay({ initialLearningRate: 0.4, stepSize: 2 });
    expect(applyLearningRateSchedule(sgd, schedule, 2)).toBeCloseTo(0.04, 12);
    expect(sgd.parameterGroups.map((g) => g.learningRate)).toEqual([schedule.learningRateAt(2), schedule.learningRateAt(2)]);
    applyLearningRateSchedule(sgd, schedule, 0, { group: 1 });
    expect(sgd.parameterGroups.map((g) => g.learningRate)).toEqual([schedule.learningRateAt(2), 0.4]);
    expect(() => applyLearningRateSchedule(sgd, schedule, 0, { group: 2 })).toThrow('applyLearningRateSchedule: no parameter group 2 (the optimizer has 2)');
    expect(() => applyLearningRateSchedule(sgd, schedule, 1.5)).toThrow('applyLearningRateSchedule: step must be an integer ≥ 0, got 1.5');
  });

  it('rejects bad options with the valid names', () => {
    expect(() => new StepDecay({ initialLearningRate: 0.1, stepSize: 0 })).toThrow('StepDecay: stepSize must be an integer > 0, got 0');
    expect(() => new ExponentialDecay({ initialLearningRate: NaN, gamma: 0.9 })).toThrow('ExponentialDecay: initialLearningRate must be a finite number ≥ 0, got NaN');
    expect(() => new CosineDecay({ initialLearningRate: 0.1, decaySteps: 3, T_0: 3 } as never)).toThrow("CosineDecay: unknown option 'T_0'; valid options are initialLearningRate, decaySteps, minimumLearningRate, restarts, periodMultiplier");
    expect(() => new OneCycle({ maximumLearningRate: 0.1, totalSteps: 1 })).toThrow('OneCycle: totalSteps must be an integer ≥ 2, got 1');
    expect(() => new ReduceLROnPlateau({ initialLearningRate: 0.1, factor: 1 })).toThrow('ReduceLROnPlateau: factor must be in (0, 1), got 1');
    expect(() => new LinearWarmup({ warmupSteps: 3, then: 'cosine' as never })).toThrow('LinearWarmup: then must be a schedule (with learningRateAt) or a number, got cosine');
  });
});
