// Test-only helpers (not part of the app): the shared MovieLens data and one small trained model per test file.
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ready } from '@dendrite/core';
import type { StoredModel } from './model-store.js';
import { trainModel } from './train.js';

export const appDirectory = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** `$DENDRITE_DATA/movielens/ml-100k`, else `<repo>/../shared/data/movielens/ml-100k`. */
export function movieLens100kDirectory(): string {
  const root = process.env.DENDRITE_DATA ?? resolve(appDirectory, '../../../shared/data');
  const directory = join(root, 'movielens', 'ml-100k');
  if (!existsSync(join(directory, 'u.data'))) throw new Error(`MovieLens 100K not found at ${directory}: set DENDRITE_DATA to the shared data folder`);
  return directory;
}

/** ALS with 16 factors and 4 iterations on all of ML-100K: a few seconds, good enough to rank sensibly. */
export async function smallModel(): Promise<StoredModel> {
  await ready();
  return trainModel({ dataset: 'ml-100k', model: 'als', data: movieLens100kDirectory(), epochs: 4, factors: 16 });
}
