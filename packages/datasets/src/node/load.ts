import { DATASET_DESCRIPTORS, type DatasetName } from '../catalog.js';
import { DatasetError } from '../errors.js';
import { FASHION_MNIST_CLASS_NAMES, MNIST_CLASS_NAMES, type ImageClassificationData } from '../mnist.js';
import type { MovieLensData } from '../movielens.js';
import type { SentimentData } from '../sentiment.js';
import { ensureDataset, type EnsureDatasetOptions } from './ensure-dataset.js';
import { loadMnistDirectory, loadMovieLens100kDirectory, loadMovieLens1mDirectory, loadSentimentDirectory } from './loaders.js';

/** What `load` returns for each dataset name. */
export interface LoadedDatasets {
  'fashion-mnist': ImageClassificationData;
  mnist: ImageClassificationData;
  'movielens-100k': MovieLensData;
  'movielens-1m': MovieLensData;
  sentiment: SentimentData;
}

/** Options of {@link load}: where to look and whether/how to download. */
export type LoadOptions = EnsureDatasetOptions;

/**
 * Loads a dataset by name, finding it in `directory`, then `$DENDRITE_DATA`, then the per-user cache, and
 * otherwise downloading it (with a progress bar on stderr, SHA-256 checked, written atomically).
 *
 * @example
 * ```ts
 * import { load } from '@dendrite/datasets/node';
 * const { train, test, classNames } = await load('fashion-mnist');
 * train.images; // Float32Array of 60000×28×28 values in [0, 1]
 * const movieLens = await load('movielens-100k'); // movieLens.ratings.users: Int32Array
 * ```
 */
export async function load<N extends DatasetName>(name: N, options: LoadOptions = {}): Promise<LoadedDatasets[N]> {
  const descriptor = DATASET_DESCRIPTORS[name];
  if (descriptor === undefined) {
    throw new DatasetError(`unknown dataset "${name}"; known: ${Object.keys(DATASET_DESCRIPTORS).join(', ')}`);
  }
  const directory = await ensureDataset(descriptor, options);
  const loaded: Promise<LoadedDatasets[DatasetName]> = (() => {
    switch (name) {
      case 'fashion-mnist':
        return loadMnistDirectory(directory, { classNames: FASHION_MNIST_CLASS_NAMES });
      case 'mnist':
        return loadMnistDirectory(directory, { classNames: MNIST_CLASS_NAMES });
      case 'movielens-100k':
        return loadMovieLens100kDirectory(directory);
      case 'movielens-1m':
        return loadMovieLens1mDirectory(directory);
      case 'sentiment':
        return loadSentimentDirectory(directory);
      default:
        throw new DatasetError(`unknown dataset "${name}"`);
    }
  })();
  return (await loaded) as LoadedDatasets[N];
}
