import type { Logs } from '../types.js';
import type { Callback, EpochEndEvent, TrainBeginEvent, TrainEndEvent } from './callback.js';

/**
 * Loss and metrics per epoch (`val_`-prefixed for validation), as `fit` returns it.
 *
 * @example
 * ```ts
 * const history = await trainer.fit(data, { epochs: 5, validationSplit: 0.1 });
 * history.values.loss;     // [0.61, 0.42, …]
 * history.values.val_loss; // [0.55, 0.47, …]
 * ```
 */
export class History implements Callback {
  /** Epoch numbers (1-based) in the order they ran. */
  readonly epochs: number[] = [];
  /** Each logged quantity, one value per entry of `epochs`. */
  readonly values: Record<string, number[]> = {};
  /** Why training stopped before its last epoch (early stopping, NaN, Ctrl-C), if it did. */
  stopReason: string | undefined;

  onTrainBegin(_event: TrainBeginEvent): void {
    this.stopReason = undefined;
  }

  onEpochEnd({ progress, logs }: EpochEndEvent): void {
    this.record(progress.epoch + 1, logs);
  }

  onTrainEnd({ trainer }: TrainEndEvent): void {
    this.stopReason = trainer.stopReason;
  }

  /** Adds one epoch's logs. */
  record(epoch: number, logs: Logs): void {
    this.epochs.push(epoch);
    for (const [key, value] of Object.entries(logs)) (this.values[key] ??= []).push(value);
  }

  /** Plain JSON (for saving beside a checkpoint). */
  toJSON(): { epochs: number[]; values: Record<string, number[]>; stopReason?: string } {
    return { epochs: [...this.epochs], values: structuredClone(this.values), ...(this.stopReason ? { stopReason: this.stopReason } : {}) };
  }
}
