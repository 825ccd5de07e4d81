import { DendriteError } from '@dendrite/core';
import type { Optimizer } from '../optimizer.js';

/**
 * A learning rate as a function of a step count. Whether a "step" is an optimizer step or an epoch is the
 * caller's choice, made once: pass `optimizer.iterations` after each step, or the epoch index at the start
 * of each epoch (PyTorch's schedulers count epochs by default, Keras' by optimizer step).
 */
export interface LearningRateSchedule {
  /** The learning rate for step `step` (0-based, an integer ≥ 0). */
  learningRateAt(step: number): number;
}

/**
 * Set the optimizer's learning rate (every group's, or one group's) to the schedule's value at `step`, and
 * return it.
 *
 * @example
 * ```ts
 * const schedule = new LinearWarmup({ warmupSteps: 500, then: new CosineDecay({ initialLearningRate: 1e-3, decaySteps: 10_000 }) });
 * for (...) {
 *   applyLearningRateSchedule(optimizer, schedule, optimizer.iterations);
 *   optimizer.step(grads);
 * }
 * ```
 */
export function applyLearningRateSchedule(optimizer: Optimizer, schedule: LearningRateSchedule, step: number, options: { group?: number } = {}): number {
  checkStep('applyLearningRateSchedule', step);
  const learningRate = schedule.learningRateAt(step);
  if (options.group === undefined) {
    optimizer.learningRate = learningRate;
  } else {
    const group = optimizer.parameterGroups[options.group];
    if (!group) throw new DendriteError(`applyLearningRateSchedule: no parameter group ${options.group} (the optimizer has ${optimizer.parameterGroups.length})`);
    group.learningRate = learningRate;
  }
  return learningRate;
}

/** @internal Steps are integers ≥ 0; a fractional or negative one is a caller's bug, not a rate. */
export function checkStep(where: string, step: number): void {
  if (!Number.isInteger(step) || step < 0) throw new DendriteError(`${where}: step must be an integer ≥ 0, got ${step}`);
}

/** @internal Half a cosine from `start` (fraction 0) to `end` (fraction 1). */
export function cosineAnneal(start: number, end: number, fraction: number): number {
  return end + ((start - end) / 2) * (Math.cos(Math.PI * fraction) + 1);
}

export const nonNegative = (value: number) => value >= 0;
export const positive = (value: number) => value > 0;
export const positiveInteger = (value: number) => Number.isInteger(value) && value > 0;
