import { DendriteError, type HostTensor } from '@dendrite/core';
import { modelTensors, restoreModel, toHost } from '../checkpoint-state.js';
import type { Callback, EpochEndEvent, TrainBeginEvent, TrainEndEvent } from './callback.js';
import { Monitor, type MonitorMode } from './monitor.js';

/** Options of {@link EarlyStopping}. */
export interface EarlyStoppingOptions {
  /** Logged quantity to watch (default `val_loss`). */
  monitor?: string;
  /** Epochs without improvement after which training stops (default 0, like 1: stop at the first). */
  patience?: number;
  /** Smallest change that counts as an improvement (default 0). */
  minDelta?: number;
  mode?: MonitorMode;
  /** At the end, put back the weights of the best epoch (kept as a host copy). Default false. */
  restoreBestWeights?: boolean;
}

/**
 * Stops training when a monitored quantity stops improving.
 *
 * @example
 * ```ts
 * await trainer.fit(data, { epochs: 100, validationSplit: 0.1, callbacks: [new EarlyStopping({ patience: 3, restoreBestWeights: true })] });
 * ```
 */
export class EarlyStopping implements Callback {
  /** The 1-based epoch with the best value. */
  bestEpoch = 0;
  /** The 1-based epoch at which training was stopped (0 when it was not). */
  stoppedEpoch = 0;
  private readonly monitor: Monitor;
  private readonly patience: number;
  private readonly restoreBestWeights: boolean;
  private wait = 0;
  private bestWeights: Record<string, HostTensor> | null = null;

  constructor(options: EarlyStoppingOptions = {}) {
    this.monitor = new Monitor(options.monitor ?? 'val_loss', options.mode, options.minDelta ?? 0);
    this.patience = options.patience ?? 0;
    // A NaN patience never stopped training (wait >= NaN is false).
    if (!Number.isInteger(this.patience) || this.patience < 0) throw new DendriteError(`EarlyStopping: patience must be an integer ≥ 0, got ${this.patience}`);
    this.restoreBestWeights = options.restoreBestWeights ?? false;
  }

  get best(): number {
    return this.monitor.best;
  }

  onTrainBegin(_event: TrainBeginEvent): void {
    this.monitor.reset();
    this.wait = 0;
    this.bestEpoch = 0;
    this.stoppedEpoch = 0;
    this.bestWeights = null;
  }

  async onEpochEnd({ trainer, progress, logs }: EpochEndEvent): Promise<void> {
    const value = this.monitor.read(logs, 'EarlyStopping');
    if (this.monitor.improves(value)) {
      this.wait = 0;
      this.bestEpoch = progress.epoch + 1;
      if (this.restoreBestWeights) this.bestWeights = await toHost(modelTensors(trainer.model));
      return;
    }
    this.wait++;
    if (this.wait >= Math.max(1, this.patience)) {
      this.stoppedEpoch = progress.epoch + 1;
      trainer.stopTraining = true;
      trainer.stopReason = `early stopping: ${this.monitor.key} did not improve on ${this.monitor.best} (epoch ${this.bestEpoch}) for ${this.wait} epoch(s)`;
    }
  }

  onTrainEnd({ trainer }: TrainEndEvent): void {
    if (this.restoreBestWeights && this.bestWeights) restoreModel(trainer.model, this.bestWeights);
  }
}
