import { DendriteError } from '@dendrite/core';
import { checkKeys, checkOption } from '../hyperparameters.js';
import { nonNegative, type LearningRateSchedule } from './schedule.js';

/** Options of {@link ReduceLROnPlateau}. */
export interface ReduceLROnPlateauOptions {
  initialLearningRate: number;
  /** 'min' (default): lower metrics are better (a loss); 'max': higher are (an accuracy). */
  mode?: 'min' | 'max';
  /** Multiply the rate by this on a plateau; default 0.1. */
  factor?: number;
  /** Updates without improvement tolerated before reducing; default 10. */
  patience?: number;
  /** Smallest change that counts as an improvement; default 1e-4. */
  threshold?: number;
  /** 'rel' (default): relative to the best; 'abs': absolute. */
  thresholdMode?: 'rel' | 'abs';
  /** Updates to wait after a reduction before counting again; default 0. */
  cooldown?: number;
  /** Never go below this; default 0. */
  minimumLearningRate?: number;
}

/**
 * Reduce the learning rate when a metric stops improving (PyTorch's `ReduceLROnPlateau`, same rules).
 * Call `update(metric)` once per evaluation (usually per epoch); it returns the rate to use, which
 * `learningRateAt` also returns (a plateau schedule depends on metrics, not on the step).
 *
 * @example
 * ```ts
 * const plateau = new ReduceLROnPlateau({ initialLearningRate: 1e-3, patience: 2 });
 * optimizer.learningRate = plateau.update(validationLoss);
 * ```
 */
export class ReduceLROnPlateau implements LearningRateSchedule {
  readonly mode: 'min' | 'max';
  readonly factor: number;
  readonly patience: number;
  readonly threshold: number;
  readonly thresholdMode: 'rel' | 'abs';
  readonly cooldown: number;
  readonly minimumLearningRate: number;
  private learningRate: number;
  private best: number;
  private badUpdates = 0;
  private cooldownLeft = 0;

  constructor(options: ReduceLROnPlateauOptions) {
    const where = 'ReduceLROnPlateau';
    checkKeys(where, options, ['initialLearningRate', 'mode', 'factor', 'patience', 'threshold', 'thresholdMode', 'cooldown', 'minimumLearningRate']);
    this.learningRate = checkOption(where, 'initialLearningRate', options.initialLearningRate, nonNegative, 'a finite number ≥ 0');
    this.mode = options.mode ?? 'min';
    this.thresholdMode = options.thresholdMode ?? 'rel';
    if (this.mode !== 'min' && this.mode !== 'max') throw new DendriteError(`${where}: mode must be 'min' or 'max', got ${String(this.mode)}`);
    if (this.thresholdMode !== 'rel' && this.thresholdMode !== 'abs') throw new DendriteError(`${where}: thresholdMode must be 'rel' or 'abs', got ${String(this.thresholdMode)}`);
    this.factor = checkOption(where, 'factor', options.factor ?? 0.1, (v) => v > 0 && v < 1, 'in (0, 1)');
    this.patience = checkOption(where, 'patience', options.patience ?? 10, (v) => Number.isInteger(v) && v >= 0, 'an integer ≥ 0');
    this.threshold = checkOption(where, 'threshold', options.threshold ?? 1e-4, nonNegative, 'a finite number ≥ 0');
    this.cooldown = checkOption(where, 'cooldown', options.cooldown ?? 0, (v) => Number.isInteger(v) && v >= 0, 'an integer ≥ 0');
    this.minimumLearningRate = checkOption(where, 'minimumLearningRate', options.minimumLearningRate ?? 0, nonNegative, 'a finite number ≥ 0');
    this.best = this.mode === 'min' ? Infinity : -Infinity;
  }

  /** The current rate (the step is ignored: only metrics move it). */
  learningRateAt(): number {
    return this.learningRate;
  }

  /** Record one evaluation's metric and return the learning rate to use from now on. */
  update(metric: number): number {
    if (typeof metric !== 'number' || Number.isNaN(metric)) throw new DendriteError(`ReduceLROnPlateau.update: metric must be a number, got ${String(metric)}`);
    if (this.isImprovement(metric)) {
      this.best = metric;
      this.badUpdates = 0;
    } else {
      this.badUpdates++;
    }
    if (this.cooldownLeft > 0) {
      this.cooldownLeft--;
      this.badUpdates = 0;
    }
    if (this.badUpdates > this.patience) {
      const reduced = Math.max(this.learningRate * this.factor, this.minimumLearningRate);
      // PyTorch ignores reductions smaller than 1e-8, so a rate at its floor stops changing.
      if (this.learningRate - reduced > 1e-8) this.learningRate = reduced;
      this.cooldownLeft = this.cooldown;
      this.badUpdates = 0;
    }
    return this.learningRate;
  }

  private isImprovement(metric: number): boolean {
    if (this.mode === 'min') {
      return this.thresholdMode === 'rel' ? metric < this.best * (1 - this.threshold) : metric < this.best - this.threshold;
    }
    return this.thresholdMode === 'rel' ? metric > this.best * (1 + this.threshold) : metric > this.best + this.threshold;
  }
}
