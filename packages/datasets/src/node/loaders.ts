import { access } from 'node:fs/promises';
import { join } from 'node:path';
import { FASHION_MNIST_CLASS_NAMES, labeledImagesFromIdx, type ImageClassificationData } from '../mnist.js';
import { movieLens100kFromLines, movieLens1mFromLines, movieLensCsvFromChunks, type MovieLensData } from '../movielens.js';
import { SENTIMENT_FILES, combineSentimentParts, parseSentimentLines, type SentimentData } from '../sentiment.js';
import { decodeTextChunks } from '../text.js';
import { readFileChunks, readFileLines } from './file-chunks.js';
import { readIdxFile } from './read-files.js';

/** Paths of the four files of an MNIST-style IDX dataset. */
export interface IdxClassificationFiles {
  trainImages: string;
  trainLabels: string;
  testImages: string;
  testLabels: string;
}

/**
 * Loads any image-classification dataset laid out like MNIST (four IDX files, plain or gzip): images are
 * scaled to [0, 1] as Float32Array, labels checked against the class count.
 *
 * @example
 * ```ts
 * const data = await loadIdxClassification({ trainImages: 'a.idx3', trainLabels: 'a.idx1', testImages: 'b.idx3', testLabels: 'b.idx1' },
 *   { classNames: ['cat', 'dog'] });
 * ```
 */
export async function loadIdxClassification(
  files: IdxClassificationFiles,
  options: { classNames: readonly string[]; trainCount?: number; testCount?: number },
): Promise<ImageClassificationData> {
  // Four reads at once: zlib inflates on the thread pool, so they overlap.
  const [trainImages, trainLabels, testImages, testLabels] = await Promise.all([
    readIdxFile(files.trainImages),
    readIdxFile(files.trainLabels),
    readIdxFile(files.testImages),
    readIdxFile(files.testLabels),
  ]);
  const numClasses = options.classNames.length;
  return {
    train: labeledImagesFromIdx(trainImages, trainLabels, {
      numClasses,
      imagesSource: files.trainImages,
      labelsSource: files.trainLabels,
      expectedCount: options.trainCount,
    }),
    test: labeledImagesFromIdx(testImages, testLabels, {
      numClasses,
      imagesSource: files.testImages,
      labelsSource: files.testLabels,
      expectedCount: options.testCount,
    }),
    classNames: [...options.classNames],
  };
}

/**
 * Loads MNIST or Fashion-MNIST from a folder holding the four official `.gz` files (60,000 train and
 * 10,000 test images of 28×28).
 *
 * @example
 * ```ts
 * const { train, test } = await loadMnistDirectory('/data/fashion-mnist'); // train.shape [60000, 28, 28]
 * ```
 */
export function loadMnistDirectory(
  directory: string,
  options: { classNames?: readonly string[] } = {},
): Promise<ImageClassificationData> {
  return loadIdxClassification(
    {
      trainImages: join(directory, 'train-images-idx3-ubyte.gz'),
      trainLabels: join(directory, 'train-labels-idx1-ubyte.gz'),
      testImages: join(directory, 't10k-images-idx3-ubyte.gz'),
      testLabels: join(directory, 't10k-labels-idx1-ubyte.gz'),
    },
    { classNames: options.classNames ?? FASHION_MNIST_CLASS_NAMES, trainCount: 60000, testCount: 10000 },
  );
}

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}

/**
 * Loads MovieLens 100K from its folder (`u.data`, `u.item`, `u.user`, and `u.genre` when present).
 *
 * @example
 * ```ts
 * const data = await loadMovieLens100kDirectory('/data/movielens/ml-100k'); // 100000 ratings
 * ```
 */
export async function loadMovieLens100kDirectory(directory: string): Promise<MovieLensData> {
  const path = (name: string) => join(directory, name);
  const hasGenres = await exists(path('u.genre'));
  return movieLens100kFromLines({
    ratings: readFileLines(path('u.data')),
    movies: readFileLines(path('u.item'), 'latin1'),
    users: readFileLines(path('u.user')),
    genres: hasGenres ? readFileLines(path('u.genre'), 'latin1') : undefined,
    names: { ratings: path('u.data'), movies: path('u.item'), users: path('u.user'), genres: path('u.genre') },
  });
}

/**
 * Loads MovieLens 1M from its folder (`ratings.dat`, `movies.dat`, and `users.dat` when present).
 *
 * @example
 * ```ts
 * const data = await loadMovieLens1mDirectory('/data/movielens/ml-1m');
 * ```
 */
export async function loadMovieLens1mDirectory(directory: string): Promise<MovieLensData> {
  const path = (name: string) => join(directory, name);
  const hasUsers = await exists(path('users.dat'));
  return movieLens1mFromLines({
    ratings: readFileLines(path('ratings.dat')),
    movies: readFileLines(path('movies.dat'), 'latin1'),
    users: hasUsers ? readFileLines(path('users.dat')) : undefined,
    names: { ratings: path('ratings.dat'), movies: path('movies.dat'), users: path('users.dat') },
  });
}

/**
 * Loads a CSV MovieLens release (ml-latest-small, ml-25m, …) from its folder: `ratings.csv` and `movies.csv`.
 *
 * @example
 * ```ts
 * const data = await loadMovieLensCsvDirectory('/data/movielens/ml-latest-small');
 * ```
 */
export function loadMovieLensCsvDirectory(directory: string): Promise<MovieLensData> {
  const ratings = join(directory, 'ratings.csv');
  const movies = join(directory, 'movies.csv');
  return movieLensCsvFromChunks({
    ratings: decodeTextChunks(readFileChunks(ratings)),
    movies: decodeTextChunks(readFileChunks(movies)),
    names: { ratings, movies },
  });
}

/**
 * Loads the UCI Sentiment Labelled Sentences (amazon, imdb, yelp: 3 × 1000 `sentence<TAB>label` lines).
 *
 * @example
 * ```ts
 * const { texts, labels, sources } = await loadSentimentDirectory('/data/sentiment-labelled-sentences');
 * ```
 */
export async function loadSentimentDirectory(directory: string): Promise<SentimentData> {
  const parts = await Promise.all(
    SENTIMENT_FILES.map(async ({ file, source }) => {
      const path = join(directory, file);
      return { source, ...(await parseSentimentLines(readFileLines(path), path)) };
    }),
  );
  return combineSentimentParts(parts);
}
