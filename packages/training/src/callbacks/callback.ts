import type { Tensor } from '@dendrite/core';
import type { TrainingState } from '../checkpoint-state.js';
import type { Logs, TrainableModel, TrainableOptimizer } from '../types.js';

/** What the trainer is doing when a callback is called; `trainer` gives access to the model and optimizer. */
export interface TrainingProgress {
  /** Epochs completed before this one (0-based index of the current epoch). */
  epoch: number;
  /** Total epochs of this fit. */
  epochs: number;
  /** Steps completed in the current epoch. */
  stepInEpoch: number;
  /** Batches trained since training began (across resumed runs). */
  globalStep: number;
  /** Steps per epoch when known (whole arrays, `stepsPerEpoch`), else undefined. */
  stepsPerEpoch: number | undefined;
}

/** The part of the Trainer callbacks use (kept structural so callbacks need not know its type parameters). */
export interface TrainerHandle {
  readonly model: TrainableModel<never, unknown>;
  readonly optimizer: TrainableOptimizer;
  /** Set to true to stop after the current step. */
  stopTraining: boolean;
  /** Why training stopped early, when it did (shown in History). */
  stopReason: string | undefined;
  /** The current progress and the model/optimizer state, for checkpoints. */
  captureState(): Promise<TrainingState>;
  readonly progress: TrainingProgress;
}

/** Called once when `fit` starts (also when it resumes). */
export interface TrainBeginEvent { trainer: TrainerHandle; progress: TrainingProgress }
/** Called before each epoch's first batch. */
export interface EpochBeginEvent { trainer: TrainerHandle; progress: TrainingProgress }
/** Called once per logging interval (`logEvery` steps) with the epoch's running loss and metrics. */
export interface BatchEndEvent {
  trainer: TrainerHandle;
  progress: TrainingProgress;
  logs: Logs;
  /** Examples seen so far in this epoch (when batches have a first axis). */
  examplesInEpoch: number;
  /** Seconds since the epoch began. */
  epochSeconds: number;
}
/** Called after each epoch, with its final logs (validation metrics included). */
export interface EpochEndEvent { trainer: TrainerHandle; progress: TrainingProgress; logs: Logs; epochSeconds: number }
/** Called once when `fit` ends, also after an early stop or Ctrl-C. */
export interface TrainEndEvent {
  trainer: TrainerHandle;
  progress: TrainingProgress;
  /** True when Ctrl-C (SIGINT) stopped training. */
  interrupted: boolean;
}
/**
 * Called every step after the gradients are computed and before the optimizer applies them;
 * `skipStep()` leaves the parameters untouched (the step does not count).
 */
export interface GradientsEvent {
  trainer: TrainerHandle;
  progress: TrainingProgress;
  /** The batch's loss (null for the partial group of accumulated gradients flushed at an epoch's end). */
  loss: Tensor | null;
  gradients: readonly Tensor[];
  parameters: readonly Tensor[];
  /** Leave the parameters untouched this step. */
  skipStep(): void;
}

/**
 * Hooks into `Trainer.fit`; implement any subset. Hooks may be async (the trainer awaits them).
 *
 * @example
 * ```ts
 * const printer: Callback = { onEpochEnd: ({ progress, logs }) => console.log(progress.epoch, logs.loss) };
 * await trainer.fit(data, { epochs: 3, callbacks: [printer] });
 * ```
 */
export interface Callback {
  /** When `fit` starts (see {@link TrainBeginEvent}). */
  onTrainBegin?(event: TrainBeginEvent): void | Promise<void>;
  /** Before each epoch (see {@link EpochBeginEvent}). */
  onEpochBegin?(event: EpochBeginEvent): void | Promise<void>;
  /** Every `logEvery` steps (see {@link BatchEndEvent}). */
  onBatchEnd?(event: BatchEndEvent): void | Promise<void>;
  /** Between the gradients and the optimizer step (see {@link GradientsEvent}). */
  onGradients?(event: GradientsEvent): void | Promise<void>;
  /** After each epoch (see {@link EpochEndEvent}). */
  onEpochEnd?(event: EpochEndEvent): void | Promise<void>;
  /** When `fit` ends (see {@link TrainEndEvent}). */
  onTrainEnd?(event: TrainEndEvent): void | Promise<void>;
}

type HookName = keyof Callback;
type EventOf<H extends HookName> = Parameters<NonNullable<Callback[H]>>[0];

/** Calls one hook on every callback in order, awaiting each. */
export async function callHook<H extends HookName>(callbacks: readonly Callback[], hook: H, event: EventOf<H>): Promise<void> {
  for (const callback of callbacks) {
    const method = callback[hook] as ((event: EventOf<H>) => void | Promise<void>) | undefined;
    if (method) await method.call(callback, event);
  }
}
