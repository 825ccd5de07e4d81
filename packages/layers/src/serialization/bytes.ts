// Model ↔ bytes: the weights as safetensors (core's codec), the topology as JSON in its metadata, so
// one Uint8Array (a download, an upload, IndexedDB) carries a whole model. Node's saveModel/loadModel
// write the same two parts as files.

import { DendriteError, decodeSafetensorsHost, encodeSafetensors, tensor, tidy, type Tensor } from '@dendrite/core';
import type { AnyLayer } from '../layer.js';
import { int8StateKeys } from '../quantization/per-channel.js';
import { checkOptionNames } from '../options.js';
import { modelFromTopology, modelTopology, type LayerClassMap } from './topology.js';

/** The safetensors metadata key holding the topology JSON. */
export const TOPOLOGY_METADATA_KEY = 'dendrite.topology';

/** Options of saving a model (to bytes, or to a directory with `saveModel`). */
export interface SaveOptions {
  /** Custom layer classes by the name to store (built-ins are always known). */
  layers?: LayerClassMap;
  /** Store weights as float32 (default, exact) or float16 (half the size). */
  dtype?: 'float32' | 'float16';
}

/** Options of loading a model (from bytes, or a directory with `loadModel`). */
export interface LoadOptions {
  /** Custom layer classes by the name the topology stores. */
  layers?: LayerClassMap;
  /** Refuse weight data larger than this many bytes before reading it (default 4 GiB). */
  maxBytes?: number;
}

/** Refuses unknown save options and a dtype other than float32 or float16, naming `where`. */
export function checkSaveOptions(where: string, options: SaveOptions): void {
  if (options === null || typeof options !== 'object') throw new DendriteError(`${where}: options must be an object, got ${String(options)}`);
  checkOptionNames(where, options, ['layers', 'dtype']);
  if (options.dtype !== undefined && options.dtype !== 'float32' && options.dtype !== 'float16') {
    throw new DendriteError(`${where}: dtype must be 'float32' or 'float16', got ${JSON.stringify(options.dtype)}`);
  }
}

/** Refuses unknown load options (beyond `extra`) and a maxBytes that is not a positive integer, naming `where`. */
export function checkLoadOptions(where: string, options: LoadOptions, extra: readonly string[] = []): void {
  if (options === null || typeof options !== 'object') throw new DendriteError(`${where}: options must be an object, got ${String(options)}`);
  checkOptionNames(where, options, ['layers', 'maxBytes', ...extra]);
  if (options.maxBytes !== undefined && !(Number.isInteger(options.maxBytes) && options.maxBytes > 0)) {
    throw new DendriteError(`${where}: maxBytes must be a positive integer, got ${options.maxBytes}`);
  }
}

/** The weights of `model` as safetensors bytes, with `metadata` added; int8-quantized weights are stored as I8. */
export async function encodeWeights(model: AnyLayer, metadata: Record<string, string> = {}, dtype: 'float32' | 'float16' = 'float32'): Promise<Uint8Array> {
  return encodeSafetensors(model.stateDict(), { metadata: { format: 'dendrite.layers', ...metadata }, dtype, int8Tensors: int8StateKeys(model) });
}

/**
 * Load safetensors weights into a built model: the file must hold exactly the model's tensors with
 * the model's shapes; checked against the header before a single tensor is created. Errors name
 * `source` and the tensor.
 */
export function loadWeights(model: AnyLayer, bytes: Uint8Array, source: string, maxBytes?: number): void {
  loadDecodedWeights(model, decodeSafetensorsHost(bytes, { source, maxBytes }), source);
}

function loadDecodedWeights(model: AnyLayer, decoded: ReturnType<typeof decodeSafetensorsHost>, source: string): void {
  const expected = model.stateDict();
  const missing = Object.keys(expected).filter((key) => !(key in decoded.tensors));
  const unexpected = Object.keys(decoded.tensors).filter((key) => !(key in expected));
  if (missing.length > 0 || unexpected.length > 0) {
    throw new DendriteError(`${source}: the weights do not match the model${missing.length ? `; missing tensors ${missing.join(', ')}` : ''}${unexpected.length ? `; unexpected tensors ${unexpected.join(', ')}` : ''}`);
  }
  for (const [key, target] of Object.entries(expected)) {
    const stored = decoded.tensors[key];
    if (stored.dtype !== target.dtype || stored.shape.join(',') !== target.shape.join(',')) {
      throw new DendriteError(`${source}: tensor '${key}' is ${stored.dtype} [${stored.shape.join(', ')}] but the model has ${target.dtype} [${target.shape.join(', ')}]`);
    }
  }
  tidy(() => {
    const state: Record<string, Tensor> = {};
    for (const [key, stored] of Object.entries(decoded.tensors)) state[key] = tensor(stored.data, stored.shape, stored.dtype);
    model.loadStateDict(state, { strict: true });
  });
}

/**
 * A whole model as one safetensors file in memory: weights plus the topology in its metadata. For
 * the browser (download, IndexedDB) and anywhere without a file system.
 *
 * @example
 * ```ts
 * const bytes = await modelToBytes(model);
 * const copy = modelFromBytes(bytes);
 * ```
 */
export async function modelToBytes(model: AnyLayer, options: SaveOptions = {}): Promise<Uint8Array> {
  checkSaveOptions('modelToBytes', options);
  const topology = JSON.stringify(modelTopology(model, options.layers));
  return encodeWeights(model, { [TOPOLOGY_METADATA_KEY]: topology }, options.dtype);
}

/**
 * Rebuild a model from {@link modelToBytes}'s bytes. Custom layer classes come in `layers`.
 *
 * @example
 * ```ts
 * const model = modelFromBytes(bytes, { layers: { Scale } });
 * ```
 */
export function modelFromBytes(bytes: Uint8Array, options: LoadOptions & { source?: string } = {}): AnyLayer {
  checkLoadOptions('modelFromBytes', options, ['source']);
  const source = options.source ?? 'model bytes';
  const decoded = decodeSafetensorsHost(bytes, { source, maxBytes: options.maxBytes ?? DEFAULT_MAX_BYTES });
  const text = decoded.metadata[TOPOLOGY_METADATA_KEY];
  if (text === undefined) throw new DendriteError(`${source}: no model topology in the metadata (was it written by modelToBytes?)`);
  const model = modelFromTopology(parseJson(text, source), options.layers ?? {}, source);
  try {
    loadDecodedWeights(model, decoded, source);
  } catch (error) {
    model.dispose();
    throw error;
  }
  return model;
}

/** The default cap on weight bytes read by the loaders (4 GiB). */
export const DEFAULT_MAX_BYTES = 4 * 1024 ** 3;

export function parseJson(text: string, source: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new DendriteError(`${source}: the topology is not valid JSON (${(error as Error).message})`);
  }
}
