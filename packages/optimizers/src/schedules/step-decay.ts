import { checkKeys, checkOption } from '../hyperparameters.js';
import { checkStep, nonNegative, positive, positiveInteger, type LearningRateSchedule } from './schedule.js';

/** Options of {@link StepDecay}. */
export interface StepDecayOptions {
  initialLearningRate: number;
  /** Steps between decays (PyTorch's `step_size`). */
  stepSize: number;
  /** Factor per decay; default 0.1. */
  gamma?: number;
}

/**
 * initialLearningRate · gamma^⌊step / stepSize⌋ (PyTorch's `StepLR`).
 *
 * @example
 * ```ts
 * const schedule = new StepDecay({ initialLearningRate: 0.1, stepSize: 30 }); // epochs 30, 60: ×0.1
 * ```
 */
export class StepDecay implements LearningRateSchedule {
  readonly initialLearningRate: number;
  readonly stepSize: number;
  readonly gamma: number;

  constructor(options: StepDecayOptions) {
    checkKeys('StepDecay', options, ['initialLearningRate', 'stepSize', 'gamma']);
    this.initialLearningRate = checkOption('StepDecay', 'initialLearningRate', options.initialLearningRate, nonNegative, 'a finite number ≥ 0');
    this.stepSize = checkOption('StepDecay', 'stepSize', options.stepSize, positiveInteger, 'an integer > 0');
    this.gamma = checkOption('StepDecay', 'gamma', options.gamma ?? 0.1, positive, 'a finite number > 0');
  }

  learningRateAt(step: number): number {
    checkStep('StepDecay', step);
    return this.initialLearningRate * this.gamma ** Math.floor(step / this.stepSize);
  }
}
