import { DendriteError, Tensor } from '@dendrite/core';
import type { Callback } from './callbacks/callback.js';
import type { TrainingState } from './checkpoint-state.js';
import { isTensorData, type TrainingData } from './data.js';

/** Options of {@link Trainer.fit}. */
export interface FitOptions<I, T> {
  /** Train until this many epochs are complete (counting those of a resumed checkpoint). */
  epochs: number;
  /** Batch size for whole-array data (default 32); batch sources bring their own batches. */
  batchSize?: number;
  /** Shuffle whole-array data each epoch (default true), in an order drawn from `seed`. */
  shuffle?: boolean;
  /**
   * Seed of the shuffles (default 0). When given, every step also reseeds core's global generator (and
   * the model's own generators, through its `reseed` when it has one) from (seed, step), so random ops
   * (dropout) are reproducible and resumable.
   */
  seed?: number;
  /** Data evaluated after each epoch; its loss and metrics are logged with a `val_` prefix. */
  validationData?: TrainingData<I, T>;
  /** Hold out this fraction (the last examples, before shuffling) of whole-array data for validation. */
  validationSplit?: number;
  callbacks?: Callback[];
  /** End each epoch after this many batches (needed for endless sources); each epoch iterates the source anew. */
  stepsPerEpoch?: number;
  /** Sum gradients over this many batches (divided by the count) before each optimizer step (default 1). */
  gradientAccumulation?: number;
  /** Read the running loss and metrics (and call `onBatchEnd`) every this many batches (default 10) and at each epoch's end. */
  logEvery?: number;
  /** Continue from a checkpoint: weights, optimizer state, epoch, step and seed. */
  resumeFrom?: TrainingState;
  /** Stop after the current step on Ctrl-C (SIGINT) instead of exiting (default true; Node only). */
  handleInterrupt?: boolean;
}

const positiveInteger = (value: unknown) => typeof value === 'number' && Number.isInteger(value) && value > 0;

const KNOWN_OPTIONS = [
  'epochs', 'batchSize', 'shuffle', 'seed', 'validationData', 'validationSplit', 'callbacks', 'stepsPerEpoch',
  'gradientAccumulation', 'logEvery', 'resumeFrom', 'handleInterrupt',
];

/** Checks fit's options, naming the one that is wrong. */
export function checkFitOptions(options: FitOptions<unknown, unknown>): void {
  if (typeof options !== 'object' || options === null) throw new DendriteError('fit: options { epochs, … } are required');
  const unknown = Object.keys(options).filter((key) => !KNOWN_OPTIONS.includes(key));
  if (unknown.length > 0) throw new DendriteError(`fit: unknown option(s) ${unknown.join(', ')}; valid options are ${KNOWN_OPTIONS.join(', ')}`);
  if (!positiveInteger(options.epochs)) throw new DendriteError(`fit: epochs must be a positive integer, got ${options.epochs}`);
  for (const key of ['batchSize', 'stepsPerEpoch', 'gradientAccumulation', 'logEvery'] as const) {
    if (options[key] !== undefined && !positiveInteger(options[key])) throw new DendriteError(`fit: ${key} must be a positive integer, got ${options[key]}`);
  }
  if (options.seed !== undefined && !(Number.isInteger(options.seed) && options.seed >= 0 && options.seed <= 0xffffffff)) {
    throw new DendriteError(`fit: seed must be an integer in [0, 2^32), got ${options.seed}`);
  }
  if (options.callbacks !== undefined && !Array.isArray(options.callbacks)) throw new DendriteError(`fit: callbacks must be an array, got ${options.callbacks === null ? 'null' : typeof options.callbacks}`);
  const split = options.validationSplit;
  if (split !== undefined && !(typeof split === 'number' && split > 0 && split < 1)) throw new DendriteError(`fit: validationSplit must be in (0, 1), got ${split}`);
  if (split !== undefined && options.validationData !== undefined) throw new DendriteError('fit: give validationData or validationSplit, not both');
}

/** Checks `evaluate`/`predict` options: a batch size of 0 would otherwise loop forever. */
export function checkEvaluateOptions(options: { batchSize?: number }, method: string): void {
  if (typeof options !== 'object' || options === null) throw new DendriteError(`${method}: options must be an object { batchSize }, got ${String(options)}`);
  const unknown = Object.keys(options).filter((key) => key !== 'batchSize');
  if (unknown.length > 0) throw new DendriteError(`${method}: unknown option(s) ${unknown.join(', ')}; the valid option is batchSize`);
  if (options.batchSize !== undefined && !positiveInteger(options.batchSize)) {
    throw new DendriteError(`${method}: batchSize must be a positive integer, got ${options.batchSize}`);
  }
}

/** Checks that `fit`/`evaluate` got data at all, before it is walked (a missing one fails deep in iteration otherwise). */
export function checkDataGiven(data: unknown, method: string): void {
  if (typeof data !== 'object' || data === null) {
    throw new DendriteError(`${method}: data must be whole arrays { inputs, targets } or an (async) iterable of { inputs, targets } batches, got ${data === null ? 'null' : typeof data}`);
  }
  // { inputs, targets } that is not iterable is meant as whole arrays: name the field that is neither a tensor nor { data, shape }.
  if (Symbol.iterator in data || Symbol.asyncIterator in data || !('inputs' in data || 'targets' in data)) return;
  for (const field of ['inputs', 'targets'] as const) {
    const value = (data as Record<string, unknown>)[field];
    if (!(value instanceof Tensor) && !isTensorData(value)) {
      const got = value === undefined ? 'nothing' : Array.isArray(value) ? 'a plain array (wrap it: { data: Float32Array or Int32Array, shape })' : value === null ? 'null' : typeof value;
      throw new DendriteError(`${method}: ${field} must be a Tensor or { data, shape }, got ${got}`);
    }
  }
}
