import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Tokenizer } from '@dendrite/datasets';
import { writeFileAtomically } from '@dendrite/datasets/node';
import { loadModel, saveModel } from '@dendrite/layers/node';
import { AppError } from './errors.js';
import { SENTIMENT_LAYERS, SentimentClassifier } from './model.js';

/** A trained classifier and the tokenizer that turns text into its input ids. */
export interface SentimentModel {
  model: SentimentClassifier;
  tokenizer: Tokenizer;
}

export const TOKENIZER_FILE = 'tokenizer.json';
/** How the model was trained and what it scored (written by `train`, shown by `eval`). */
export const TRAINING_FILE = 'training.json';

/**
 * Saves `dir/model.json` + `dir/weights.safetensors` (layers' `saveModel`), `dir/tokenizer.json` and, when
 * given, `dir/training.json`; every file is written atomically.
 */
export async function saveSentimentModel(directory: string, { model, tokenizer }: SentimentModel, training?: Record<string, unknown>): Promise<void> {
  await saveModel(model, directory, { layers: SENTIMENT_LAYERS });
  await writeJson(join(directory, TOKENIZER_FILE), tokenizer.toJSON());
  if (training) await writeJson(join(directory, TRAINING_FILE), training);
}

/** Loads what {@link saveSentimentModel} wrote; a missing folder or file is an {@link AppError} naming it. */
export async function loadSentimentModel(directory: string): Promise<SentimentModel> {
  if (!existsSync(directory)) throw new AppError(`no model at ${directory}: the folder does not exist (train one with \`pnpm sentiment train --out ${directory}\`)`);
  for (const file of ['model.json', 'weights.safetensors', TOKENIZER_FILE]) {
    if (!existsSync(join(directory, file))) throw new AppError(`no sentiment model at ${directory}: ${file} is missing (train one with \`pnpm sentiment train --out ${directory}\`)`);
  }
  const tokenizerPath = join(directory, TOKENIZER_FILE);
  const tokenizer = Tokenizer.fromJSON(parseJson(await readFile(tokenizerPath, 'utf8'), tokenizerPath), tokenizerPath);
  const model = await loadModel(directory, { layers: SENTIMENT_LAYERS });
  if (!(model instanceof SentimentClassifier)) {
    model.dispose();
    throw new AppError(`${join(directory, 'model.json')} holds a ${model.constructor.name}, not a sentiment model`);
  }
  if (model.vocabularySize !== tokenizer.size) {
    model.dispose();
    throw new AppError(`${directory}: the model expects ${model.vocabularySize} token ids but ${TOKENIZER_FILE} has ${tokenizer.size}; the files come from different runs`);
  }
  return { model, tokenizer };
}

/** The training record beside a model, or null when there is none. */
export async function readTrainingRecord(directory: string): Promise<Record<string, unknown> | null> {
  const path = join(directory, TRAINING_FILE);
  return existsSync(path) ? parseJson(await readFile(path, 'utf8'), path) as Record<string, unknown> : null;
}

async function writeJson(path: string, value: unknown): Promise<void> {
  await writeFileAtomically(path, new TextEncoder().encode(`${JSON.stringify(value, null, 1)}\n`));
}

function parseJson(text: string, path: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new AppError(`${path} is not valid JSON (${(error as Error).message}); the model folder is damaged: train it again`);
  }
}
