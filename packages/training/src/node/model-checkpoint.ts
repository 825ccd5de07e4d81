import { readdir, rm } from 'node:fs/promises';
import { DendriteError } from '@dendrite/core';
import { join } from 'node:path';
import type { Callback, EpochEndEvent, TrainBeginEvent, TrainEndEvent } from '../callbacks/callback.js';
import { Monitor, type MonitorMode } from '../callbacks/monitor.js';
import { saveCheckpoint } from './checkpoint-files.js';

/** Options of {@link ModelCheckpoint}. */
export interface ModelCheckpointOptions {
  /** Keep this many of the latest epoch checkpoints, deleting older ones (default 3). */
  keepLast?: number;
  /** Logged quantity that decides `best.safetensors` (default `val_loss`, else `loss` when there is no validation). */
  monitor?: string;
  mode?: MonitorMode;
  /** On Ctrl-C, also save the mid-epoch state as `interrupted.safetensors` (default true). */
  saveOnInterrupt?: boolean;
}

const EPOCH_FILE = /^epoch-(\d+)\.safetensors$/;

/**
 * Saves a checkpoint (weights, optimizer state, epoch, step, seed) after every epoch as
 * `epoch-0003.safetensors`, keeps the last N, and keeps the best epoch as `best.safetensors`. Every
 * file is written atomically, so an interrupted run never leaves a torn checkpoint; resume with
 * `fit(data, { resumeFrom: await loadCheckpoint(path) })`.
 *
 * @example
 * ```ts
 * const checkpoints = new ModelCheckpoint('runs/mlp', { keepLast: 2, monitor: 'val_accuracy' });
 * await trainer.fit(data, { epochs: 10, validationSplit: 0.1, callbacks: [checkpoints] });
 * checkpoints.lastPath; // 'runs/mlp/epoch-0010.safetensors'
 * ```
 */
export class ModelCheckpoint implements Callback {
  /** The most recent checkpoint written. */
  lastPath: string | undefined;
  private readonly keepLast: number;
  private readonly monitorKey: string | undefined;
  private readonly mode: MonitorMode | undefined;
  private monitor: Monitor | undefined;

  constructor(readonly directory: string, private readonly options: ModelCheckpointOptions = {}) {
    this.keepLast = options.keepLast ?? 3;
    if (!Number.isInteger(this.keepLast) || this.keepLast < 1) throw new DendriteError(`ModelCheckpoint: keepLast must be a positive integer, got ${options.keepLast}`);
    this.monitorKey = options.monitor;
    this.mode = options.mode;
  }

  /** Path of the checkpoint of a (1-based) epoch. */
  pathOf(epoch: number): string {
    return join(this.directory, `epoch-${String(epoch).padStart(4, '0')}.safetensors`);
  }

  get bestPath(): string {
    return join(this.directory, 'best.safetensors');
  }

  onTrainBegin(_event: TrainBeginEvent): void {
    this.monitor = undefined;
  }

  async onEpochEnd({ trainer, progress, logs }: EpochEndEvent): Promise<void> {
    const state = { ...(await trainer.captureState()), logs };
    const path = this.pathOf(progress.epoch + 1);
    await saveCheckpoint(path, state);
    this.lastPath = path;
    const key = this.monitorKey ?? ('val_loss' in logs ? 'val_loss' : 'loss');
    this.monitor ??= new Monitor(key, this.mode);
    if (this.monitor.improves(this.monitor.read(logs, 'ModelCheckpoint'))) await saveCheckpoint(this.bestPath, state);
    await this.prune();
  }

  async onTrainEnd({ trainer, interrupted }: TrainEndEvent): Promise<void> {
    if (!interrupted || !(this.options.saveOnInterrupt ?? true)) return;
    const path = join(this.directory, 'interrupted.safetensors');
    await saveCheckpoint(path, await trainer.captureState());
    this.lastPath = path;
  }

  /** Delete epoch checkpoints beyond the newest `keepLast`. */
  private async prune(): Promise<void> {
    const epochs = (await readdir(this.directory))
      .map((name) => EPOCH_FILE.exec(name))
      .filter((match): match is RegExpExecArray => match !== null)
      .map((match) => Number(match[1]))
      .sort((a, b) => b - a);
    await Promise.all(epochs.slice(this.keepLast).map((epoch) => rm(this.pathOf(epoch), { force: true })));
  }
}
