import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DendriteError } from '@dendrite/core';
import { writeFileAtomically } from '@dendrite/datasets/node';
import { loadRecommender, type Recommender, type SavedRecommender } from '@dendrite/recsys';
import { MovieCatalog, type Movie } from './catalog.js';

/** The file beside the weights: what was trained on what, the recsys config and the movie catalogue. */
export const MANIFEST_FILE = 'recommender.json';
/** The model's safetensors weights (factors, id maps, training interactions). */
export const WEIGHTS_FILE = 'weights.safetensors';

/** What `train` records about a model, shown by `serve`'s /health and the README. */
export interface TrainingSummary {
  dataset: string;
  model: string;
  epochs: number;
  users: number;
  items: number;
  ratings: number;
  seconds: number;
  trainedAt: string;
}

interface Manifest {
  format: 1;
  summary: TrainingSummary;
  config: SavedRecommender['config'];
  movies: Movie[];
}

/** A trained model with its movie catalogue, ready to answer. */
export interface StoredModel {
  model: Recommender;
  catalog: MovieCatalog;
  summary: TrainingSummary;
}

/** Write the model directory (each file written atomically: a reader never sees half a model). */
export async function saveModelDirectory(directory: string, stored: StoredModel): Promise<void> {
  const saved = await stored.model.save();
  const manifest: Manifest = { format: 1, summary: stored.summary, config: saved.config, movies: [...stored.catalog.movies] };
  await writeFileAtomically(join(directory, WEIGHTS_FILE), saved.weights);
  await writeFileAtomically(join(directory, MANIFEST_FILE), new TextEncoder().encode(`${JSON.stringify(manifest)}\n`));
}

/** Read a directory written by {@link saveModelDirectory}; a missing or corrupt file is a `DendriteError` naming it. */
export async function loadModelDirectory(directory: string): Promise<StoredModel> {
  const manifestPath = join(directory, MANIFEST_FILE);
  const weightsPath = join(directory, WEIGHTS_FILE);
  const text = await readOrExplain(manifestPath, directory, 'utf8');
  let manifest: Manifest;
  try {
    manifest = JSON.parse(text) as Manifest;
  } catch (error) {
    throw new DendriteError(`${manifestPath} is not valid JSON (${(error as Error).message}); train the model again with \`recommender train --out ${directory}\``);
  }
  if (manifest?.format !== 1 || !Array.isArray(manifest.movies) || typeof manifest.config !== 'object' || manifest.summary === undefined) {
    throw new DendriteError(`${manifestPath} is not a recommender manifest (format 1 with summary, config and movies); train the model again`);
  }
  const weights = await readOrExplain(weightsPath, directory);
  let model: Recommender;
  try {
    model = loadRecommender({ config: manifest.config, weights: new Uint8Array(weights.buffer, weights.byteOffset, weights.byteLength) });
  } catch (error) {
    throw new DendriteError(`${weightsPath}: ${(error as Error).message}; train the model again`);
  }
  return { model, catalog: new MovieCatalog(manifest.movies), summary: manifest.summary };
}

async function readOrExplain(path: string, directory: string): Promise<Buffer>;
async function readOrExplain(path: string, directory: string, encoding: 'utf8'): Promise<string>;
async function readOrExplain(path: string, directory: string, encoding?: 'utf8'): Promise<Buffer | string> {
  try {
    return encoding ? await readFile(path, encoding) : await readFile(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new DendriteError(`${path} not found: --model must be a directory written by \`recommender train --out ${directory}\``);
    throw new DendriteError(`cannot read ${path} (${code ?? (error as Error).message})`);
  }
}
