// @dendrite/layers/node: save and load models as files. Kept out of the main entry so browser
// bundles never see `node:fs`.

import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { AnyLayer } from './layer.js';
import {
  checkLoadOptions, checkSaveOptions, DEFAULT_MAX_BYTES, modelFromBytes, modelToBytes, type LoadOptions, type SaveOptions,
} from './serialization/bytes.js';
import {
  fileStep, readCapped, readModelDirectory, writeFilesAtomically, writeModelDirectory,
} from './serialization/model-directory.js';

export { MODEL_FILE, WEIGHTS_FILE } from './serialization/model-directory.js';

/** Whether a path names one model file rather than a directory. */
function isSingleFile(path: string): boolean {
  return path.endsWith('.safetensors');
}

/**
 * Save a model to `directory` (created if needed): `model.json` (the versioned topology, with the size
 * and SHA-256 of its weights) and `weights.safetensors`, consistent at every instant: the new weights are
 * written and flushed under a pending name first, then model.json is renamed into place (the commit
 * point), then the weights are renamed over the old ones. A failed or interrupted save leaves the old
 * model whole, or (interrupted after the commit) the new one, which {@link loadModel} finds by its hash.
 * A path ending in `.safetensors` instead gets one file: the weights with the topology in their metadata
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
  checkSaveOptions('saveModel', options);
  if (isSingleFile(directory)) {
    const bytes = await modelToBytes(model, options);
    await fileStep('create the folder', dirname(directory), () => mkdir(dirname(directory), { recursive: true }));
    await writeFilesAtomically([[directory, bytes]]);
    return;
  }
  await writeModelDirectory(model, directory, options);
}

/**
 * Load a model saved by {@link saveModel} (a directory, or one `.safetensors` file): rebuild it from
 * the topology with the built-in layer classes plus `options.layers`, then load the weights. Sizes are checked before reading;
 * a truncated, oversized or mismatched file gives an error naming the file and the tensor, and weights that are not the
 * ones model.json was saved with (its recorded size and SHA-256; saves made before the record load unchecked) an error
 * naming both files.
 */
export async function loadModel(directory: string, options: LoadOptions = {}): Promise<AnyLayer> {
  checkLoadOptions('loadModel', options);
  if (isSingleFile(directory)) {
    const limit = options.maxBytes ?? DEFAULT_MAX_BYTES;
    return modelFromBytes(await readCapped(directory, limit, 'the model'), { ...options, source: directory, maxBytes: limit });
  }
  return readModelDirectory(directory, options);
}
