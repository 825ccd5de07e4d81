import { DendriteError } from '@dendrite/core';
import { checkKeys, checkOption } from '../hyperparameters.js';
import { checkStep, nonNegative, positiveInteger, type LearningRateSchedule } from './schedule.js';

/** Options of {@link LinearWarmup}. */
export interface LinearWarmupOptions {
  /** Steps of the linear ramp. */
  warmupSteps: number;
  /** The schedule after the warm-up (its step 0 is the first step after it), or a constant rate. */
  then: LearningRateSchedule | number;
  /** Where the ramp starts; default 0. */
  initialLearningRate?: number;
}

/**
 * A linear ramp from `initialLearningRate` to the rate `then` starts with, over `warmupSteps`; then the
 * `then` schedule, shifted so that it starts where the warm-up ends. Composes with any schedule.
 *
 * @example
 * ```ts
 * const schedule = new LinearWarmup({ warmupSteps: 1000, then: new CosineDecay({ initialLearningRate: 3e-4, decaySteps: 50_000 }) });
 * ```
 */
export class LinearWarmup implements LearningRateSchedule {
  readonly warmupSteps: number;
  readonly initialLearningRate: number;
  private readonly then: LearningRateSchedule;

  constructor(options: LinearWarmupOptions) {
    checkKeys('LinearWarmup', options, ['warmupSteps', 'then', 'initialLearningRate']);
    this.warmupSteps = checkOption('LinearWarmup', 'warmupSteps', options.warmupSteps, positiveInteger, 'an integer > 0');
    this.initialLearningRate = checkOption('LinearWarmup', 'initialLearningRate', options.initialLearningRate ?? 0, nonNegative, 'a finite number ≥ 0');
    const { then } = options;
    if (typeof then === 'number') {
      const constant = checkOption('LinearWarmup', 'then', then, nonNegative, 'a schedule or a finite number ≥ 0');
      this.then = { learningRateAt: () => constant };
    } else if (then && typeof then.learningRateAt === 'function') {
      this.then = then;
    } else {
      throw new DendriteError(`LinearWarmup: then must be a schedule (with learningRateAt) or a number, got ${String(then)}`);
    }
  }

  learningRateAt(step: number): number {
    checkStep('LinearWarmup', step);
    if (step >= this.warmupSteps) return this.then.learningRateAt(step - this.warmupSteps);
    const target = this.then.learningRateAt(0);
    return this.initialLearningRate + ((target - this.initialLearningRate) * step) / this.warmupSteps;
  }
}
