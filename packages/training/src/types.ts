import type { Tensor } from '@dendrite/core';

/**
 * What the Trainer trains: anything with a forward pass, its parameters and a train/eval switch.
 * Layer models, hand-written models and recommenders all satisfy it; training never imports layers.
 * Parameters are core variables; a frozen one (`requiresGrad === false`) is never updated.
 *
 * @example
 * ```ts
 * const weight = variable(randomNormal([4, 3], 0, 0.1, 1), 'weight');
 * const model: TrainableModel<Tensor, Tensor> = {
 *   apply: (x) => matmul(x, weight),
 *   parameters: () => [weight],
 *   train: () => undefined,
 * };
 * ```
 */
export interface TrainableModel<I = Tensor, O = Tensor> {
  /** The forward pass of one batch. */
  apply(input: I): O;
  /** The weights to train, in a stable order (checkpoints without stateDict save them by position). */
  parameters(): Tensor[];
  /** Switch training mode (dropout, batch norm statistics) on or off. */
  train(mode?: boolean): unknown;
  /**
   * Reseed the model's own random generators (a layer's dropout masks). With a fit `seed`, the trainer
   * calls it before every step with a value derived from (seed, step), so those draws are reproducible
   * and a resumed run draws what the uninterrupted one did.
   */
  reseed?(seed: number): unknown;
  /** Named weights for checkpoints; without it parameters are saved by position. */
  stateDict?(): Record<string, Tensor>;
  /** Copy named weights (a checkpoint's) into the model. */
  loadStateDict?(state: Record<string, Tensor>): unknown;
}

/** An optimizer's serialisable state: hyperparameters and counters as JSON, moments as tensors. */
export interface OptimizerState {
  config: Record<string, unknown>;
  tensors: Record<string, Tensor>;
}

/**
 * What the Trainer needs of an optimizer (`@dendrite/optimizers` satisfies it). `step` takes one
 * gradient per entry of `parameters` (null skips that parameter); without `parameters` the gradients
 * follow the model's trainable parameters in order.
 */
export interface TrainableOptimizer {
  /** Apply one step of gradients (see above for their order). */
  step(gradients: ReadonlyArray<Tensor | null>): void;
  readonly parameters?: readonly Tensor[];
  /** Settable by learning-rate callbacks. */
  learningRate?: number;
  /** Optimizer steps taken (step schedules follow it when present). */
  readonly iterations?: number;
  /** The optimizer's state as copies the caller owns and frees (as @dendrite/optimizers returns them). */
  stateDict?(): OptimizerState;
  /** Restore a state; the tensors are the caller's (the optimizer copies what it keeps). */
  loadStateDict?(state: OptimizerState): unknown;
}

/** One batch: what the model reads and what the loss compares its output with. */
export interface Batch<I = Tensor, T = Tensor> {
  inputs: I;
  targets: T;
}

/** Loss and metric values by name (`loss`, `accuracy`, `val_loss`, …). */
export type Logs = Record<string, number>;

/**
 * A flat typed array and its shape (what @dendrite/datasets batches are made of). Int32Array data
 * becomes an int32 tensor (class indices), anything else float32.
 */
export interface TensorData {
  data: Float32Array | Int32Array;
  shape: readonly number[];
}
