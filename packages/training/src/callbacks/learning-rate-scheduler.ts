import { DendriteError } from '@dendrite/core';
import type { TrainableOptimizer } from '../types.js';
import type { Callback, EpochBeginEvent, EpochEndEvent, GradientsEvent, TrainBeginEvent } from './callback.js';
import { readMonitored } from './monitor.js';

/** A schedule of the learning rate by step (as @dendrite/optimizers' schedules are). */
export interface LearningRateSchedule {
  /** The learning rate for optimizer step `step` (0-based). */
  learningRateAt(step: number): number;
}

/** A schedule driven by a monitored quantity (as @dendrite/optimizers' ReduceLROnPlateau). */
export interface PlateauSchedule {
  /** Take the epoch's monitored value and return the learning rate to use next. */
  update(metric: number): number;
}

/** What {@link LearningRateScheduler} follows. */
export type Schedule = LearningRateSchedule | PlateauSchedule | ((epoch: number, learningRate: number) => number);

/**
 * Sets the optimizer's `learningRate`: from a function of the epoch (at each epoch's start, as
 * Keras'), from a step schedule (`learningRateAt(step)` before every optimizer step, `step` being the
 * optimizer's `iterations` when it has them, else the batches trained), or from a plateau
 * schedule fed the monitored value at each epoch's end.
 *
 * @example
 * ```ts
 * new LearningRateScheduler((epoch) => 1e-3 * 0.5 ** Math.floor(epoch / 5));
 * new LearningRateScheduler(cosineSchedule);                               // { learningRateAt(step) }
 * new LearningRateScheduler(new ReduceLROnPlateau(…), { monitor: 'val_loss' }); // { update(metric) }
 * ```
 */
export class LearningRateScheduler implements Callback {
  constructor(private readonly schedule: Schedule, private readonly options: { monitor?: string } = {}) {
    // Anything else was accepted and then never changed the learning rate.
    const usable = typeof schedule === 'function'
      || (typeof schedule === 'object' && schedule !== null
        && (typeof (schedule as LearningRateSchedule).learningRateAt === 'function' || typeof (schedule as PlateauSchedule).update === 'function'));
    if (!usable) {
      throw new DendriteError(`LearningRateScheduler: the schedule must be a function (epoch, learningRate) => number or an object with learningRateAt(step) or update(metric), got ${schedule === null ? 'null' : typeof schedule}`);
    }
  }

  onTrainBegin({ trainer }: TrainBeginEvent): void {
    if (typeof trainer.optimizer.learningRate !== 'number') {
      throw new DendriteError('LearningRateScheduler: the optimizer has no numeric learningRate property to set');
    }
  }

  onEpochBegin({ trainer, progress }: EpochBeginEvent): void {
    if (typeof this.schedule === 'function') set(trainer.optimizer, this.schedule(progress.epoch, trainer.optimizer.learningRate!));
  }

  onGradients({ trainer, progress }: GradientsEvent): void {
    if (typeof this.schedule !== 'object' || !('learningRateAt' in this.schedule)) return;
    // The optimizer's own step count (restored with its state; counts accumulated batches once), else batches.
    const step = typeof trainer.optimizer.iterations === 'number' ? trainer.optimizer.iterations : progress.globalStep;
    set(trainer.optimizer, this.schedule.learningRateAt(step));
  }

  onEpochEnd({ trainer, logs }: EpochEndEvent): void {
    if (typeof this.schedule !== 'object' || !('update' in this.schedule)) return;
    set(trainer.optimizer, this.schedule.update(readMonitored(logs, this.options.monitor ?? 'val_loss', 'LearningRateScheduler')));
  }
}

function set(optimizer: TrainableOptimizer, learningRate: number): void {
  if (!(Number.isFinite(learningRate) && learningRate >= 0)) throw new DendriteError(`LearningRateScheduler: the schedule gave learning rate ${learningRate}`);
  optimizer.learningRate = learningRate;
}
