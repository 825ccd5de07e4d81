import { checkKeys, checkOption } from '../hyperparameters.js';
import { checkStep, nonNegative, positive, type LearningRateSchedule } from './schedule.js';

/** Options of {@link ExponentialDecay}. */
export interface ExponentialDecayOptions {
  initialLearningRate: number;
  /** Factor per step. */
  gamma: number;
}

/**
 * initialLearningRate · gamma^step (PyTorch's `ExponentialLR`).
 *
 * @example
 * ```ts
 * const schedule = new ExponentialDecay({ initialLearningRate: 1e-2, gamma: 0.95 });
 * ```
 */
export class ExponentialDecay implements LearningRateSchedule {
  readonly initialLearningRate: number;
  readonly gamma: number;

  constructor(options: ExponentialDecayOptions) {
    checkKeys('ExponentialDecay', options, ['initialLearningRate', 'gamma']);
    this.initialLearningRate = checkOption('ExponentialDecay', 'initialLearningRate', options.initialLearningRate, nonNegative, 'a finite number ≥ 0');
    this.gamma = checkOption('ExponentialDecay', 'gamma', options.gamma, positive, 'a finite number > 0');
  }

  learningRateAt(step: number): number {
    checkStep('ExponentialDecay', step);
    return this.initialLearningRate * this.gamma ** step;
  }
}
