// @dendrite/layers/node: save and load models as files. Kept out of the main entry so browser
// bundles never see `node:fs`.

import { mkdir, open, rename, rm, stat, writeFile, readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { DendriteError } from '@dendrite/core';
import type { AnyLayer } from './layer.js';
import {
  DEFAULT_MAX_BYTES, encodeWeights, loadWeights, modelFromBytes, modelToBytes, parseJson, type LoadOptions, type SaveOptions,
} from './serialization/bytes.js';
import { modelFromTopology, modelTopology } from './serialization/topology.js';


/** The files a saved model directory holds. */
export const MODEL_FILE = 'model.json';
/** The weights file of a saved model directory (safetensors, which PyTorch reads). */
export const WEIGHTS_FILE = 'weights.safetensors';
/** A topology larger than this is refused unread (16 MiB is thousands of layers). */
const MAX_TOPOLOGY_BYTES = 16 * 1024 ** 2;

/** Writes `bytes` to a temporary file beside `path` and flushes it; returns the temporary's path (removed on failure). */
async function writeTemporary(path: string, bytes: Uint8Array | string): Promise<string> {
  const temporary = `${path}.${process.pid}.${Date.now()}.partial`;
  try {
    await writeFile(temporary, bytes);
    const handle = await open(temporary, 'r+');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
    return temporary;
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
}

/**
 * Writes each file atomically and all of them together: every file goes to a flushed temporary first, and
 * only when all are written are they renamed over their targets, so a failed write (a full disk, a folder
 * in the way) replaces none of the old files: a saved model never ends up half old, half new.
 */
async function writeFilesAtomically(files: ReadonlyArray<readonly [string, Uint8Array | string]>): Promise<void> {
  const written: Array<readonly [string, string]> = [];
  try {
    for (const [path, bytes] of files) {
      const existing = await stat(path).catch(() => null);
      if (existing !== null && !existing.isFile()) await fileStep('write', path, () => Promise.reject(new Error('something other than a file is in the way')));
      written.push([await fileStep('write', path, () => writeTemporary(path, bytes)), path]);
    }
  } catch (error) {
    for (const [temporary] of written) await rm(temporary, { force: true });
    throw error;
  }
  for (const [temporary, path] of written) await fileStep('write', path, () => rename(temporary, path));
}

/** Whether a path names one model file rather than a directory. */
function isSingleFile(path: string): boolean {
  return path.endsWith('.safetensors');
}

/**
 * Save a model to `directory` (created if needed): `model.json` (the versioned topology) and
 * `weights.safetensors`, written atomically and together (both to flushed temporary files, then both renamed
 * over the old ones, so a failed save leaves the previous model whole). A path ending in
 * `.safetensors` instead gets one file: the weights with the topology in their metadata
 * (the format of `modelToBytes`).
 *
 * @example
 * ```ts
 * import { saveModel, loadModel } from '@dendrite/layers/node';
 * await saveModel(model, 'checkpoints/mnist');
 * const restored = await loadModel('checkpoints/mnist', { layers: { Scale } });
 * await saveModel(model, 'mnist.safetensors');           // one file
 * ```
 */
export async function saveModel(model: AnyLayer, directory: string, options: SaveOptions = {}): Promise<void> {
  if (isSingleFile(directory)) {
    const bytes = await modelToBytes(model, options);
    await fileStep('create the folder', dirname(directory), () => mkdir(dirname(directory), { recursive: true }));
    await writeFilesAtomically([[directory, bytes]]);
    return;
  }
  const topology = JSON.stringify(modelTopology(model, options.layers), null, 1);
  const weights = await encodeWeights(model, {}, options.dtype);
  await fileStep('create the folder', directory, () => mkdir(directory, { recursive: true }));
  await writeFilesAtomically([[join(directory, WEIGHTS_FILE), weights], [join(directory, MODEL_FILE), topology]]);
}

/** Runs one file-system step of saveModel, turning Node's bare error (EEXIST, EACCES, ENOSPC) into one naming the path. */
async function fileStep<T>(what: string, path: string, step: () => Promise<T>): Promise<T> {
  try {
    return await step();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const hint = code === 'EEXIST' || code === 'ENOTDIR' ? ' (a file is in the way of the folder)' : code === 'EACCES' || code === 'EPERM' ? ' (no permission)' : '';
    throw new DendriteError(`saveModel: cannot ${what} ${path}${hint}: ${(error as Error).message}`);
  }
}

async function readCapped(path: string, limit: number, what: string): Promise<Uint8Array> {
  let size: number;
  try {
    size = (await stat(path)).size;
  } catch (error) {
    throw new DendriteError(`loadModel: cannot read ${what} ${path}: ${(error as Error).message}`);
  }
  if (size > limit) throw new DendriteError(`loadModel: ${path} is ${size} bytes, over the limit of ${limit} bytes for ${what}`);
  return new Uint8Array(await readFile(path));
}

/**
 * Load a model saved by {@link saveModel} (a directory, or one `.safetensors` file): rebuild it from
 * the topology with the built-in layer classes plus `options.layers`, then load the weights. Sizes are checked before reading;
 * a truncated, oversized or mismatched file gives an error naming the file and the tensor.
 */
export async function loadModel(directory: string, options: LoadOptions = {}): Promise<AnyLayer> {
  if (isSingleFile(directory)) {
    const limit = options.maxBytes ?? DEFAULT_MAX_BYTES;
    return modelFromBytes(await readCapped(directory, limit, 'the model'), { ...options, source: directory, maxBytes: limit });
  }
  const modelPath = join(directory, MODEL_FILE);
  const weightsPath = join(directory, WEIGHTS_FILE);
  const text = new TextDecoder().decode(await readCapped(modelPath, MAX_TOPOLOGY_BYTES, 'the topology'));
  const model = modelFromTopology(parseJson(text, modelPath), options.layers ?? {}, modelPath);
  try {
    const limit = options.maxBytes ?? DEFAULT_MAX_BYTES;
    loadWeights(model, await readCapped(weightsPath, limit, 'the weights'), weightsPath, limit);
  } catch (error) {
    model.dispose();
    throw error;
  }
  return model;
}
