import { DendriteError, decodeSafetensorsHost, encodeSafetensorsHost, tensor, tidy, type HostTensor, type Tensor } from '@dendrite/core';
import type { Logs, TrainableModel, TrainableOptimizer } from './types.js';

/** Where training stands: enough, with the weights and optimizer state, to continue bit-exactly. */
export interface ProgressState {
  /** Epochs completed. */
  epoch: number;
  /** Steps completed in the epoch in progress (0 at an epoch boundary). */
  stepInEpoch: number;
  /** Batches trained in all (equal to optimizer steps without gradient accumulation). */
  globalStep: number;
  /**
   * The fit's seed. With it, each epoch's shuffle and each step's random ops (dropout) come from streams
   * derived from (seed, epoch) and (seed, step), so this seed and the counters are the whole generator state.
   */
  seed: number | undefined;
}

/**
 * A snapshot of training, on the host: model weights, optimizer state and progress. `Trainer.captureState`
 * makes one, `fit(data, { resumeFrom })` continues from one, `encodeCheckpoint` turns one into bytes.
 */
export interface TrainingState {
  model: Record<string, HostTensor>;
  optimizer: { config: Record<string, unknown>; tensors: Record<string, HostTensor> } | undefined;
  progress: ProgressState;
  /** The logs of the last completed epoch, if any. */
  logs?: Logs;
}

/** The model's weights by name: its `stateDict()`, else its parameters by position (`parameters.0`, …). */
export function modelTensors(model: TrainableModel<never, unknown>): Record<string, Tensor> {
  if (model.stateDict) return model.stateDict();
  return Object.fromEntries(model.parameters().map((parameter, index) => [`parameters.${index}`, parameter]));
}

/** Copies tensors to the host (`data()` already gives a fresh array the caller owns). */
export async function toHost(tensors: Record<string, Tensor>): Promise<Record<string, HostTensor>> {
  const entries = await Promise.all(Object.entries(tensors).map(async ([name, value]) => {
    if (value.dtype !== 'float32' && value.dtype !== 'int32') throw new DendriteError(`checkpoint: tensor "${name}" has dtype ${value.dtype}; only float32 and int32 are saved`);
    const host: HostTensor = { dtype: value.dtype, shape: [...value.shape], data: await value.data() };
    return [name, host] as const;
  }));
  return Object.fromEntries(entries);
}

/** Runs `use` with device tensors made from host tensors, freeing them after. */
export function withDeviceTensors<R>(host: Record<string, HostTensor>, use: (tensors: Record<string, Tensor>) => R): R {
  const made = Object.fromEntries(Object.entries(host).map(([name, value]) => [name, tensor(value.data, value.shape, value.dtype)]));
  try {
    return use(made);
  } finally {
    for (const value of Object.values(made)) value.dispose();
  }
}

/** Writes saved weights into the model (`loadStateDict`, else `assign` by position, shapes checked). */
export function restoreModel(model: TrainableModel<never, unknown>, weights: Record<string, HostTensor>): void {
  if (model.loadStateDict) {
    withDeviceTensors(weights, (tensors) => model.loadStateDict!(tensors));
    return;
  }
  const parameters = model.parameters();
  const saved = Object.keys(weights).length;
  if (saved !== parameters.length) throw new DendriteError(`restore: the checkpoint has ${saved} weights, the model ${parameters.length} parameters`);
  parameters.forEach((parameter, index) => {
    const value = weights[`parameters.${index}`];
    if (!value) throw new DendriteError(`restore: the checkpoint has no weight "parameters.${index}" (it has ${Object.keys(weights).join(', ')})`);
    if (value.shape.length !== parameter.shape.length || value.shape.some((d, i) => d !== parameter.shape[i])) {
      throw new DendriteError(`restore: weight "parameters.${index}" has shape [${value.shape}], the parameter ${parameter.name ?? `#${index}`} [${parameter.shape}]`);
    }
    tidy(() => parameter.assign(tensor(value.data, value.shape, value.dtype)));
  });
}

/** Loads saved optimizer state (moments, step counts, learning rate) into the optimizer. */
export function restoreOptimizer(optimizer: TrainableOptimizer, state: TrainingState['optimizer']): void {
  if (!state) return;
  if (!optimizer.loadStateDict) throw new DendriteError('restore: the checkpoint holds optimizer state but this optimizer has no loadStateDict()');
  withDeviceTensors(state.tensors, (tensors) => optimizer.loadStateDict!({ config: structuredClone(state.config), tensors }));
}

const FORMAT = 'dendrite-training-checkpoint';

/**
 * A training state as safetensors bytes: weights under `model.*`, optimizer tensors under `optimizer.*`,
 * progress, optimizer config and logs as JSON in the header's metadata — one file, so one atomic write.
 *
 * @example
 * ```ts
 * const bytes = encodeCheckpoint(await trainer.captureState());
 * const state = decodeCheckpoint(bytes);
 * await trainer.fit(data, { epochs: 10, resumeFrom: state });
 * ```
 */
export function encodeCheckpoint(state: TrainingState): Uint8Array {
  const tensors: Record<string, HostTensor> = {};
  for (const [name, value] of Object.entries(state.model)) tensors[`model.${name}`] = value;
  for (const [name, value] of Object.entries(state.optimizer?.tensors ?? {})) tensors[`optimizer.${name}`] = value;
  const metadata: Record<string, string> = { format: FORMAT, version: '1', progress: JSON.stringify(state.progress) };
  if (state.optimizer) metadata.optimizer_config = JSON.stringify(state.optimizer.config);
  if (state.logs) metadata.logs = JSON.stringify(state.logs);
  return encodeSafetensorsHost(tensors, { metadata });
}

/** Reads bytes written by {@link encodeCheckpoint}. */
export function decodeCheckpoint(bytes: Uint8Array, source = 'checkpoint'): TrainingState {
  const { tensors, metadata } = decodeSafetensorsHost(bytes, { source });
  if (metadata.format !== FORMAT) throw new DendriteError(`decodeCheckpoint: ${source} is not a Dendrite training checkpoint (metadata format "${metadata.format ?? ''}")`);
  const model: Record<string, HostTensor> = {};
  const optimizerTensors: Record<string, HostTensor> = {};
  for (const [name, { dtype, shape, data }] of Object.entries(tensors)) {
    const value = { dtype, shape, data };
    if (name.startsWith('model.')) model[name.slice('model.'.length)] = value;
    else if (name.startsWith('optimizer.')) optimizerTensors[name.slice('optimizer.'.length)] = value;
  }
  const progress = JSON.parse(metadata.progress) as ProgressState;
  return {
    model,
    optimizer: metadata.optimizer_config ? { config: JSON.parse(metadata.optimizer_config), tensors: optimizerTensors } : undefined,
    progress: { ...progress, seed: progress.seed ?? undefined },
    ...(metadata.logs ? { logs: JSON.parse(metadata.logs) as Logs } : {}),
  };
}
