import { checkKeys, checkOption } from '../hyperparameters.js';
import { checkStep, cosineAnneal, nonNegative, positiveInteger, type LearningRateSchedule } from './schedule.js';

/** Options of {@link CosineDecay}. */
export interface CosineDecayOptions {
  initialLearningRate: number;
  /** Steps of one half-cosine from the initial to the minimum rate (PyTorch's `T_max` / `T_0`). */
  decaySteps: number;
  /** Default 0 (PyTorch's `eta_min`). */
  minimumLearningRate?: number;
  /** Start again from the initial rate after each period (SGDR, PyTorch's `CosineAnnealingWarmRestarts`). */
  restarts?: boolean;
  /** With restarts, each period is this many times longer than the one before (`T_mult`, an integer ≥ 1). */
  periodMultiplier?: number;
}

/**
 * Cosine annealing: min + (initial - min)·(1 + cos(π·t / T))/2. Without restarts the rate stays at the
 * minimum after `decaySteps` (Keras' `CosineDecay`); with restarts it jumps back to the initial rate at the
 * end of each period, periods growing by `periodMultiplier` (PyTorch's `CosineAnnealingWarmRestarts`).
 *
 * @example
 * ```ts
 * const schedule = new CosineDecay({ initialLearningRate: 0.1, decaySteps: 10, restarts: true, periodMultiplier: 2 });
 * ```
 */
export class CosineDecay implements LearningRateSchedule {
  readonly initialLearningRate: number;
  readonly decaySteps: number;
  readonly minimumLearningRate: number;
  readonly restarts: boolean;
  readonly periodMultiplier: number;

  constructor(options: CosineDecayOptions) {
    const where = 'CosineDecay';
    checkKeys(where, options, ['initialLearningRate', 'decaySteps', 'minimumLearningRate', 'restarts', 'periodMultiplier']);
    this.initialLearningRate = checkOption(where, 'initialLearningRate', options.initialLearningRate, nonNegative, 'a finite number ≥ 0');
    this.decaySteps = checkOption(where, 'decaySteps', options.decaySteps, positiveInteger, 'an integer > 0');
    this.minimumLearningRate = checkOption(where, 'minimumLearningRate', options.minimumLearningRate ?? 0, (v) => v >= 0 && v <= this.initialLearningRate, `in [0, initialLearningRate ${this.initialLearningRate}]`);
    this.restarts = options.restarts ?? false;
    this.periodMultiplier = checkOption(where, 'periodMultiplier', options.periodMultiplier ?? 1, positiveInteger, 'an integer ≥ 1');
  }

  learningRateAt(step: number): number {
    checkStep('CosineDecay', step);
    let position = step;
    let period = this.decaySteps;
    if (!this.restarts) {
      position = Math.min(step, period);
    } else if (this.periodMultiplier === 1) {
      position = step % period;
    } else {
      // Skip whole periods T, T·m, T·m², ... (a loop, not a log, so no rounding puts a step in the wrong period).
      while (position >= period) {
        position -= period;
        period *= this.periodMultiplier;
      }
    }
    return cosineAnneal(this.initialLearningRate, this.minimumLearningRate, position / period);
  }
}
