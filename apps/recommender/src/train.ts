import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DendriteError } from '@dendrite/core';
import type { MovieLensData } from '@dendrite/datasets';
import { load, loadMovieLens100kDirectory, loadMovieLens1mDirectory } from '@dendrite/datasets/node';
import { InteractionMatrix, RECIPES, createRecommender } from '@dendrite/recsys';
import { MovieCatalog } from './catalog.js';
import { saveModelDirectory, type StoredModel } from './model-store.js';

/** The models `train` offers: the explicit one (mf) learns ratings; the implicit ones learn who watched what. */
export const APP_MODELS = ['als', 'bpr', 'mf', 'neumf'] as const;
export type AppModel = (typeof APP_MODELS)[number];
export const DATASETS = ['ml-100k', 'ml-1m'] as const;
export type DatasetId = (typeof DATASETS)[number];

/** Models that learn from the rating values; the others see every rating as "watched" (value 1). */
export function isExplicit(model: string): boolean {
  return model === 'mf' || model === 'svdpp';
}

/** Options of {@link trainModel}. */
export interface TrainOptions {
  dataset: DatasetId;
  model: AppModel;
  /** Folder holding the release's files (u.data … or ratings.dat …), or a data root with movielens/<release>/ under it. */
  data?: string;
  epochs?: number;
  factors?: number;
  seed?: number;
  /** Progress lines (epoch, loss, seconds). */
  log?: (line: string) => void;
}

const RELEASE = {
  'ml-100k': { name: 'movielens-100k', folder: 'movielens/ml-100k', ratings: 'u.data', loader: loadMovieLens100kDirectory },
  'ml-1m': { name: 'movielens-1m', folder: 'movielens/ml-1m', ratings: 'ratings.dat', loader: loadMovieLens1mDirectory },
} as const;

/**
 * The MovieLens release: from `--data` when given (the release's folder or a data root), else from
 * DENDRITE_DATA, the shared data folder beside this checkout, the per-user cache, or a download that
 * shows MovieLens' terms first (`@dendrite/datasets`' `load`).
 */
export async function loadMovieLens(dataset: DatasetId, data?: string): Promise<MovieLensData> {
  const release = RELEASE[dataset];
  if (data !== undefined) {
    const folder = resolve(data);
    if (!existsSync(folder)) throw new DendriteError(`--data ${data}: no such directory; pass the folder holding ${release.ratings} (or set DENDRITE_DATA and leave --data out)`);
    for (const candidate of [folder, join(folder, release.folder)]) {
      if (existsSync(join(candidate, release.ratings))) return release.loader(candidate);
    }
    throw new DendriteError(`--data ${data}: no ${release.ratings} in it or in ${join(folder, release.folder)}; pass the folder holding the ${dataset} files`);
  }
  const shared = resolve(dirname(fileURLToPath(import.meta.url)), '../../../../shared/data');
  // `load` looks in `directory` before DENDRITE_DATA, so the shared folder is offered only without it.
  const directory = !process.env.DENDRITE_DATA && existsSync(join(shared, release.folder)) ? shared : undefined;
  return load(release.name, { directory });
}

/** Train a model on a whole MovieLens release; returns it with its catalogue (the caller saves or disposes it). */
export async function trainModel(options: TrainOptions): Promise<StoredModel> {
  const recipe = RECIPES[options.model];
  const data = await loadMovieLens(options.dataset, options.data);
  const matrix = InteractionMatrix.fromRatings(
    { users: data.ratings.users, items: data.ratings.items, ratings: isExplicit(options.model) ? data.ratings.ratings : undefined },
    { userIds: data.userIds, itemIds: data.itemIds },
  );
  const hyperparameters: Record<string, unknown> = { ...recipe.options };
  if (options.factors !== undefined) {
    hyperparameters.factors = options.factors;
    if (options.model === 'neumf') hyperparameters.mlpLayers = [options.factors * 4, options.factors * 2, options.factors];
  }
  const model = createRecommender(options.model, hyperparameters);
  const epochs = options.epochs ?? recipe.epochs;
  const started = performance.now();
  await model.fit(matrix, {
    epochs, seed: options.seed ?? 1,
    onEpoch: (log) => options.log?.(`epoch ${log.epoch}/${epochs}  loss ${log.loss.toPrecision(4)}  ${log.seconds.toFixed(2)} s`),
  });
  return {
    model,
    catalog: MovieCatalog.fromMovieTable(data.movies),
    summary: {
      dataset: options.dataset, model: options.model, epochs, users: matrix.userCount, items: matrix.itemCount, ratings: matrix.size,
      seconds: Math.round((performance.now() - started) / 10) / 100, trainedAt: new Date().toISOString(),
    },
  };
}

/** Train and write the model directory. */
export async function trainAndSave(options: TrainOptions & { out: string }): Promise<StoredModel> {
  const stored = await trainModel(options);
  await saveModelDirectory(resolve(options.out), stored);
  return stored;
}
