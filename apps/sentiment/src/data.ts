import { existsSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SENTIMENT_FILES, splitIndices, type SentimentData, type Tokenizer } from '@dendrite/datasets';
import { loadSentimentDirectory } from '@dendrite/datasets/node';
import { AppError } from './errors.js';

/** The held-out split is fixed: 20% of the 3,000 sentences drawn with this seed, never trained on. */
export const HELD_OUT_SEED = 42;
export const HELD_OUT_FRACTION = 0.2;
export const SOURCES = SENTIMENT_FILES.map((entry) => entry.source);
const FOLDER = 'sentiment-labelled-sentences';

/** Sentences with their labels as the loss wants them: float 0/1, one column. */
export interface LabelledSentences {
  texts: string[];
  labels: Float32Array;
  sources: string[];
}

/**
 * The folder holding the three `*_labelled.txt` files: `--data DIR` (that folder or one holding
 * `sentiment-labelled-sentences/`), else `$DENDRITE_DATA/sentiment-labelled-sentences`, else the shared
 * data folder beside this checkout.
 */
export function locateData(given: string | undefined): string {
  if (given !== undefined) {
    if (!existsSync(given)) throw new AppError(`data directory ${given} does not exist; pass --data with the folder holding ${SENTIMENT_FILES.map((f) => f.file).join(', ')}`);
    if (!statSync(given).isDirectory()) throw new AppError(`--data ${given} is a file; pass the folder holding ${SENTIMENT_FILES[0].file} and the other two files`);
    return existsSync(join(given, FOLDER)) ? join(given, FOLDER) : given;
  }
  const shared = resolve(dirname(fileURLToPath(import.meta.url)), '../../../../shared/data');
  const root = process.env.DENDRITE_DATA ?? shared;
  const candidate = join(root, FOLDER);
  if (!existsSync(candidate)) {
    throw new AppError(`sentiment data not found at ${candidate}; pass --data DIR or set DENDRITE_DATA to the folder holding ${FOLDER}/`);
  }
  return candidate;
}

/** Loads the three files (each must exist and hold sentences; errors name the file). */
export async function loadSentences(directory: string): Promise<SentimentData> {
  for (const { file } of SENTIMENT_FILES) {
    if (!existsSync(join(directory, file))) throw new AppError(`${join(directory, file)} is missing: the data directory needs ${SENTIMENT_FILES.map((f) => f.file).join(', ')}`);
  }
  return loadSentimentDirectory(directory);
}

/** Checks a `--sources` list (names from amazon, imdb, yelp). */
export function parseSources(list: string | undefined): string[] {
  if (list === undefined) return [...SOURCES];
  const names = list.split(',').map((name) => name.trim()).filter((name) => name.length > 0);
  const unknown = names.filter((name) => !SOURCES.includes(name));
  if (names.length === 0 || unknown.length > 0) throw new AppError(`--sources must list some of ${SOURCES.join(', ')} (comma-separated), got ${JSON.stringify(list)}`);
  return [...new Set(names)];
}

/**
 * The seeded split of the whole set (always over all 3,000 sentences, so the held-out sentences are the
 * same whichever sources a model trains on), each part narrowed to `sources`.
 */
export function splitSentences(data: SentimentData, sources: readonly string[] = SOURCES): { train: LabelledSentences; heldOut: LabelledSentences } {
  const { train, test } = splitIndices(data.texts.length, { test: HELD_OUT_FRACTION, seed: HELD_OUT_SEED });
  const pick = (indices: Int32Array): LabelledSentences => {
    const kept = Array.from(indices).filter((index) => sources.includes(data.sources[index]));
    return {
      texts: kept.map((index) => data.texts[index]),
      labels: Float32Array.from(kept, (index) => data.labels[index]),
      sources: kept.map((index) => data.sources[index]),
    };
  };
  return { train: pick(train), heldOut: pick(test) };
}

/** Token ids `[n, maxLength]` and labels `[n, 1]`, as the Trainer takes whole arrays. */
export function encodeSentences(tokenizer: Tokenizer, sentences: LabelledSentences): { inputs: { data: Int32Array; shape: number[] }; targets: { data: Float32Array; shape: number[] } } {
  const { data, shape } = tokenizer.encodeBatch(sentences.texts);
  return { inputs: { data, shape }, targets: { data: sentences.labels, shape: [sentences.labels.length, 1] } };
}
