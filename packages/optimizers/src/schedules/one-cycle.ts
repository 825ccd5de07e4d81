import { checkKeys, checkOption } from '../hyperparameters.js';
import { checkStep, cosineAnneal, positive, positiveInteger, type LearningRateSchedule } from './schedule.js';

/** Options of {@link OneCycle}. */
export interface OneCycleOptions {
  maximumLearningRate: number;
  /** Steps of the whole cycle (at least 2). */
  totalSteps: number;
  /** Fraction of the steps spent rising; default 0.3. */
  warmupFraction?: number;
  /** The cycle starts at maximum / divisionFactor; default 25. */
  divisionFactor?: number;
  /** And ends at start / finalDivisionFactor; default 1e4. */
  finalDivisionFactor?: number;
}

/**
 * The 1cycle policy (Smith & Topin, 2018) as PyTorch's `OneCycleLR` with cosine annealing: up from
 * max/divisionFactor to max over the first `warmupFraction` of the steps, then down to
 * start/finalDivisionFactor at step totalSteps - 1 (and there after it).
 *
 * @example
 * ```ts
 * const schedule = new OneCycle({ maximumLearningRate: 0.01, totalSteps: epochs * stepsPerEpoch });
 * ```
 */
export class OneCycle implements LearningRateSchedule {
  readonly maximumLearningRate: number;
  readonly totalSteps: number;
  readonly warmupFraction: number;
  readonly divisionFactor: number;
  readonly finalDivisionFactor: number;

  constructor(options: OneCycleOptions) {
    const where = 'OneCycle';
    checkKeys(where, options, ['maximumLearningRate', 'totalSteps', 'warmupFraction', 'divisionFactor', 'finalDivisionFactor']);
    this.maximumLearningRate = checkOption(where, 'maximumLearningRate', options.maximumLearningRate, positive, 'a finite number > 0');
    this.totalSteps = checkOption(where, 'totalSteps', options.totalSteps, (v) => positiveInteger(v) && v >= 2, 'an integer ≥ 2');
    this.warmupFraction = checkOption(where, 'warmupFraction', options.warmupFraction ?? 0.3, (v) => v > 0 && v < 1, 'in (0, 1)');
    this.divisionFactor = checkOption(where, 'divisionFactor', options.divisionFactor ?? 25, positive, 'a finite number > 0');
    this.finalDivisionFactor = checkOption(where, 'finalDivisionFactor', options.finalDivisionFactor ?? 1e4, positive, 'a finite number > 0');
  }

  learningRateAt(step: number): number {
    checkStep('OneCycle', step);
    const initial = this.maximumLearningRate / this.divisionFactor;
    const minimum = initial / this.finalDivisionFactor;
    // PyTorch's phase boundaries, kept as floats so the curve matches it step for step.
    const peakStep = this.warmupFraction * this.totalSteps - 1;
    const lastStep = this.totalSteps - 1;
    const at = Math.min(step, lastStep);
    if (at <= peakStep) return cosineAnneal(initial, this.maximumLearningRate, at / peakStep);
    return cosineAnneal(this.maximumLearningRate, minimum, (at - peakStep) / (lastStep - peakStep));
  }
}
