import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadMnistDirectory } from '@dendrite/datasets/node';

/** Fashion-MNIST as flat arrays: 784 pixels in [0, 1] per image, int32 labels. */
export interface FashionMnist {
  trainImages: Float32Array;
  trainLabels: Int32Array;
  testImages: Float32Array;
  testLabels: Int32Array;
}

export const PIXELS_PER_IMAGE = 28 * 28;
export const CLASS_COUNT = 10;

/** The data root: DENDRITE_DATA, else the shared data folder beside the repository (`<repo>/../shared/data`). */
export function dataRoot(env: Record<string, string | undefined> = process.env): string {
  if (env.DENDRITE_DATA) return resolve(env.DENDRITE_DATA);
  const repository = fileURLToPath(new URL('../../', import.meta.url));
  return resolve(repository, '..', 'shared', 'data');
}

/** Load Fashion-MNIST from `<data root>/fashion-mnist` with @dendrite/datasets. */
export async function loadFashionMnist(root = dataRoot()): Promise<FashionMnist> {
  const directory = join(root, 'fashion-mnist');
  if (!existsSync(join(directory, 'train-images-idx3-ubyte.gz'))) {
    throw new Error(`Fashion-MNIST not found: ${directory} has no train-images-idx3-ubyte.gz (set DENDRITE_DATA to a folder holding fashion-mnist/)`);
  }
  const { train, test } = await loadMnistDirectory(directory);
  return { trainImages: train.images, trainLabels: train.labels, testImages: test.images, testLabels: test.labels };
}
