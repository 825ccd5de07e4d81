import { DendriteError } from '@dendrite/core';
import type { Logs } from '../types.js';

/** Whether a monitored quantity should go down or up; `auto` reads it from the name. */
export type MonitorMode = 'min' | 'max' | 'auto';

/** @internal `logs[key]`; an error naming `who` and the logged keys when it is missing. */
export function readMonitored(logs: Logs, key: string, who: string): number {
  const value = logs[key];
  if (value === undefined) throw new DendriteError(`${who}: monitored quantity "${key}" is not in the logs (they have ${Object.keys(logs).join(', ')})`);
  return value;
}

/**
 * Tracks the best value of one logged quantity (what EarlyStopping and ModelCheckpoint watch).
 *
 * @example
 * ```ts
 * const monitor = new Monitor('val_accuracy'); // 'auto': accuracy goes up
 * monitor.improves(0.8); // true
 * monitor.improves(0.7); // false
 * ```
 */
export class Monitor {
  readonly direction: 'min' | 'max';
  best: number;

  constructor(readonly key: string, mode: MonitorMode = 'auto', readonly minDelta = 0) {
    // Any other mode would silently watch for increases.
    if (!['min', 'max', 'auto'].includes(mode)) throw new DendriteError(`monitor "${key}": mode must be 'min', 'max' or 'auto', got ${JSON.stringify(mode)}`);
    // Accuracy-like quantities improve upwards; losses and errors downwards.
    this.direction = mode !== 'auto' ? mode : /acc|auc|precision|recall|f1/.test(key) ? 'max' : 'min';
    this.best = this.direction === 'min' ? Number.POSITIVE_INFINITY : Number.NEGATIVE_INFINITY;
    if (!(minDelta >= 0)) throw new DendriteError(`monitor "${key}": minDelta must be ≥ 0, got ${minDelta}`);
  }

  /** The monitored value in `logs`; an error naming the logged keys when it is missing. */
  read(logs: Logs, who: string): number {
    return readMonitored(logs, this.key, who);
  }

  /** True (and remembered as best) when `value` beats the best by more than minDelta. */
  improves(value: number): boolean {
    const better = this.direction === 'min' ? value < this.best - this.minDelta : value > this.best + this.minDelta;
    if (better) this.best = value;
    return better;
  }

  /** Forget the best value seen (a new fit starts over). */
  reset(): void {
    this.best = this.direction === 'min' ? Number.POSITIVE_INFINITY : Number.NEGATIVE_INFINITY;
  }
}
