// A saved model directory (Node): model.json and weights.safetensors, consistent at every instant.
//
// model.json records the size and SHA-256 of the weights it goes with. A save writes the new
// weights beside the old ones under a pending name (weights.safetensors.<hash>.pending), then
// renames the new model.json into place (the commit point), then renames the pending weights over
// weights.safetensors. A crash before the commit leaves the old pair untouched; a crash after it
// leaves the new model.json, whose weights the loader finds either in weights.safetensors or still
// under the pending name, checked by hash either way. So a load always gets the old model whole or
// the new one whole, and a pair mixed from two saves (copied by hand, say) is an error naming both.

import { createHash } from 'node:crypto';
import { mkdir, open, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DendriteError } from '@dendrite/core';
import type { AnyLayer } from '../layer.js';
import { DEFAULT_MAX_BYTES, encodeWeights, loadWeights, parseJson, type LoadOptions, type SaveOptions } from './bytes.js';
import { modelFromTopology, modelTopology } from './topology.js';

/** The topology file of a saved model directory. */
export const MODEL_FILE = 'model.json';
/** The weights file of a saved model directory (safetensors, which PyTorch reads). */
export const WEIGHTS_FILE = 'weights.safetensors';
/** A topology larger than this is refused unread (16 MiB is thousands of layers). */
const MAX_TOPOLOGY_BYTES = 16 * 1024 ** 2;

/** What model.json records of the weights it was saved with (absent in saves before it). */
export interface WeightsRecord {
  file: string;
  bytes: number;
  sha256: string;
}

/** The moments of a directory save, in order (a crash at any of them must leave a loadable model). */
export type SaveStep = 'weights written' | 'topology written' | 'committed' | 'weights in place' | 'cleaned up';

/** Test-only: called after each step of a directory save (see model-directory.test.ts). */
export interface SaveHooks {
  afterStep?(step: SaveStep): void | Promise<void>;
}

const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

/** Where a save's weights wait, under their hash, until model.json names them. */
const pendingName = (hash: string): string => `${WEIGHTS_FILE}.${hash.slice(0, 16)}.pending`;

/** Runs one file-system step of saveModel, turning Node's bare error (EEXIST, EACCES, ENOSPC) into one naming the path. */
export async function fileStep<T>(what: string, path: string, step: () => Promise<T>): Promise<T> {
  try {
    return await step();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const hint = code === 'EEXIST' || code === 'ENOTDIR' ? ' (a file is in the way of the folder)' : code === 'EACCES' || code === 'EPERM' ? ' (no permission)' : '';
    throw new DendriteError(`saveModel: cannot ${what} ${path}${hint}: ${(error as Error).message}`);
  }
}

/** Writes `bytes` to a flushed temporary file beside `path`; returns the temporary's path (removed on failure). */
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

/** Flushes a directory's entries (its renames) to disk, where the platform allows it. */
async function syncDirectory(directory: string): Promise<void> {
  try {
    const handle = await open(directory, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch {
    // Windows cannot open a folder for syncing; the renames are still atomic there.
  }
}

/** Refuses, naming it, a path taken by something other than a file (before anything is written). */
async function checkWritable(path: string): Promise<void> {
  const existing = await stat(path).catch(() => null);
  if (existing !== null && !existing.isFile()) await fileStep('write', path, () => Promise.reject(new Error('something other than a file is in the way')));
}

/**
 * Writes each file atomically and all of them together: every file goes to a flushed temporary first, and
 * only when all are written are they renamed over their targets, so a failed write (a full disk, a folder
 * in the way) replaces none of the old files.
 */
export async function writeFilesAtomically(files: ReadonlyArray<readonly [string, Uint8Array | string]>): Promise<void> {
  const written: Array<readonly [string, string]> = [];
  try {
    for (const [path, bytes] of files) {
      await checkWritable(path);
      written.push([await fileStep('write', path, () => writeTemporary(path, bytes)), path]);
    }
  } catch (error) {
    for (const [temporary] of written) await rm(temporary, { force: true });
    throw error;
  }
  for (const [temporary, path] of written) await fileStep('write', path, () => rename(temporary, path));
}

/** Saves `model` to `directory` as model.json + weights.safetensors, consistent at every instant (see the top of this file). */
export async function writeModelDirectory(model: AnyLayer, directory: string, options: SaveOptions = {}, hooks: SaveHooks = {}): Promise<void> {
  const weights = await encodeWeights(model, {}, options.dtype);
  const hash = sha256(weights);
  const record: WeightsRecord = { file: WEIGHTS_FILE, bytes: weights.length, sha256: hash };
  const topology = JSON.stringify({ ...modelTopology(model, options.layers), weights: record }, null, 1);
  await fileStep('create the folder', directory, () => mkdir(directory, { recursive: true }));
  const modelPath = join(directory, MODEL_FILE);
  const weightsPath = join(directory, WEIGHTS_FILE);
  const pendingPath = join(directory, pendingName(hash));
  // Refused before anything is written, so a failed save leaves the old model as it was.
  for (const path of [modelPath, weightsPath, pendingPath]) await checkWritable(path);

  // Through a temporary too: a pending file of the same weights may be what the current model.json needs.
  const temporaryWeights = await fileStep('write', pendingPath, () => writeTemporary(pendingPath, weights));
  try {
    await fileStep('write', pendingPath, () => rename(temporaryWeights, pendingPath));
  } catch (error) {
    await rm(temporaryWeights, { force: true });
    throw error;
  }
  await hooks.afterStep?.('weights written');
  let temporaryTopology: string;
  try {
    temporaryTopology = await fileStep('write', modelPath, () => writeTemporary(modelPath, topology));
  } catch (error) {
    await rm(pendingPath, { force: true });
    throw error;
  }
  await hooks.afterStep?.('topology written');
  try {
    await fileStep('write', modelPath, () => rename(temporaryTopology, modelPath));
  } catch (error) {
    await rm(temporaryTopology, { force: true });
    await rm(pendingPath, { force: true });
    throw error;
  }
  await syncDirectory(directory);
  await hooks.afterStep?.('committed');
  // From here the new model is saved: its weights are found under either name.
  await fileStep('write', weightsPath, () => rename(pendingPath, weightsPath));
  await syncDirectory(directory);
  await hooks.afterStep?.('weights in place');
  // Pending weights of saves that crashed after their commit are no longer named by model.json.
  for (const name of await readdir(directory)) {
    if (name.startsWith(`${WEIGHTS_FILE}.`) && name.endsWith('.pending')) await rm(join(directory, name), { force: true });
  }
  await hooks.afterStep?.('cleaned up');
}

/** Reads a file of at most `limit` bytes, refusing a larger one unread; errors name the file. */
export async function readCapped(path: string, limit: number, what: string): Promise<Uint8Array> {
  let size: number;
  try {
    size = (await stat(path)).size;
  } catch (error) {
    throw new DendriteError(`loadModel: cannot read ${what} ${path}: ${(error as Error).message}`);
  }
  if (size > limit) throw new DendriteError(`loadModel: ${path} is ${size} bytes, over the limit of ${limit} bytes for ${what}`);
  return new Uint8Array(await readFile(path));
}

/** The weights record of a topology document, checked; null for a save made before records existed. */
function weightsRecord(document: unknown, modelPath: string): WeightsRecord | null {
  const record = (document as { weights?: unknown } | null)?.weights;
  if (record === undefined) return null;
  const { file, bytes, sha256: hash } = (record ?? {}) as Partial<WeightsRecord>;
  if (file !== WEIGHTS_FILE || !Number.isInteger(bytes) || typeof hash !== 'string' || !/^[0-9a-f]{64}$/.test(hash)) {
    throw new DendriteError(`loadModel: ${modelPath}: the weights record must be { file: '${WEIGHTS_FILE}', bytes, sha256 }, got ${JSON.stringify(record)?.slice(0, 200)}`);
  }
  return { file, bytes: bytes as number, sha256: hash };
}

/**
 * The weights model.json was saved with: weights.safetensors when its size and hash match the
 * record, else the pending file of a save that crashed after its commit; a mismatch names both files.
 */
async function recordedWeights(directory: string, modelPath: string, record: WeightsRecord, limit: number): Promise<{ bytes: Uint8Array; path: string }> {
  const weightsPath = join(directory, WEIGHTS_FILE);
  const pendingPath = join(directory, pendingName(record.sha256));
  const matches = (bytes: Uint8Array) => bytes.length === record.bytes && sha256(bytes) === record.sha256;
  const size = async (path: string) => (await stat(path).catch(() => null))?.size;
  // Sizes first: only a file of the recorded size is read and hashed.
  if ((await size(weightsPath)) === record.bytes) {
    const bytes = await readCapped(weightsPath, limit, 'the weights');
    if (matches(bytes)) return { bytes, path: weightsPath };
  }
  if ((await size(pendingPath)) === record.bytes) {
    const bytes = await readCapped(pendingPath, limit, 'the weights');
    if (matches(bytes)) return { bytes, path: pendingPath };
  }
  const found = await size(weightsPath);
  if (found === undefined) throw new DendriteError(`loadModel: cannot read the weights ${weightsPath} that ${modelPath} was saved with: the file is missing`);
  if (found > limit) throw new DendriteError(`loadModel: ${weightsPath} is ${found} bytes, over the limit of ${limit} bytes for the weights`);
  const actual = found === record.bytes ? `sha256 ${sha256(await readCapped(weightsPath, limit, 'the weights')).slice(0, 16)}…` : `${found} bytes`;
  throw new DendriteError(`loadModel: ${weightsPath} (${actual}) is not the weights ${modelPath} was saved with (${record.bytes} bytes, sha256 ${record.sha256.slice(0, 16)}…): a damaged file, or the two files come from different saves`);
}

/** Loads a directory written by {@link writeModelDirectory}, or by a save made before weights records existed. */
export async function readModelDirectory(directory: string, options: LoadOptions = {}): Promise<AnyLayer> {
  const modelPath = join(directory, MODEL_FILE);
  const text = new TextDecoder().decode(await readCapped(modelPath, MAX_TOPOLOGY_BYTES, 'the topology'));
  const document = parseJson(text, modelPath);
  const record = weightsRecord(document, modelPath);
  const model = modelFromTopology(document, options.layers ?? {}, modelPath);
  try {
    const limit = options.maxBytes ?? DEFAULT_MAX_BYTES;
    const weights = record === null
      ? { bytes: await readCapped(join(directory, WEIGHTS_FILE), limit, 'the weights'), path: join(directory, WEIGHTS_FILE) }
      : await recordedWeights(directory, modelPath, record, limit);
    loadWeights(model, weights.bytes, weights.path, limit);
  } catch (error) {
    model.dispose();
    throw error;
  }
  return model;
}
