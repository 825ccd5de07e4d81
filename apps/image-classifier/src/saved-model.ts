// Reading a saved classifier: the layers model plus model-info.json (class names, image size).
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DendriteError } from '@dendrite/core';
import type { Sequential } from '@dendrite/layers';
import { writeFileAtomically } from '@dendrite/datasets/node';
import { loadModel } from '@dendrite/layers/node';
import { MODEL_INFO_FILE, type ModelInfo } from './model-info.js';

/** A loaded classifier. */
export interface SavedClassifier {
  model: Sequential;
  info: ModelInfo;
  directory: string;
}

/** Reads and checks `model-info.json` of `directory`. */
export async function readModelInfo(directory: string): Promise<ModelInfo> {
  const path = join(directory, MODEL_INFO_FILE);
  if (!existsSync(path)) {
    throw new DendriteError(`${directory} is not a saved classifier (no ${MODEL_INFO_FILE}); train one with \`pnpm classifier train --out ${directory}\``);
  }
  let info: ModelInfo;
  try {
    info = JSON.parse(await readFile(path, 'utf8')) as ModelInfo;
  } catch (error) {
    throw new DendriteError(`${path}: not valid JSON (${(error as Error).message}); train the model again`);
  }
  const valid = info?.format === 'dendrite.image-classifier' && Array.isArray(info.classNames) && info.classNames.length >= 2
    && Number.isInteger(info.height) && Number.isInteger(info.width) && info.height > 0 && info.width > 0;
  if (!valid) throw new DendriteError(`${path}: not a classifier description (format, classNames, height, width); train the model again`);
  return info;
}

/**
 * Loads a classifier saved by `classifier train --out DIR`.
 *
 * @example
 * ```ts
 * const { model, info } = await loadClassifier('runs/classifier');
 * ```
 */
export async function loadClassifier(directory: string): Promise<SavedClassifier> {
  const info = await readModelInfo(directory);
  const model = await loadModel(directory) as Sequential;
  model.eval();
  return { model, info, directory };
}

/** Writes `value` as indented JSON (with a final newline) to `path` atomically: a temporary file, flushed, then renamed. */
export function writeJsonAtomically(path: string, value: unknown): Promise<void> {
  return writeFileAtomically(path, new TextEncoder().encode(`${JSON.stringify(value, null, 2)}\n`));
}
