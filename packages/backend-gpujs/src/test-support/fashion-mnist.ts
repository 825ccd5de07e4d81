/**
 * Node-side Fashion-MNIST reading for the tests and the benchmark: the IDX gz files from
 * `$DENDRITE_DATA/fashion-mnist` or the repository's `../shared/data/fashion-mnist`, read with
 * @dendrite/datasets (a dev dependency: the backend itself does not need it).
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readIdxFile } from '@dendrite/datasets/node';
import type { ImageSplit } from './mlp-training.js';

/** Folders that may hold the files, in the order they are tried. */
function fashionMnistCandidates(extra: readonly string[] = []): string[] {
  const candidates = [...extra];
  const dataRoot = process.env.DENDRITE_DATA;
  if (dataRoot) candidates.push(join(dataRoot, 'fashion-mnist'));
  // src/test-support -> the repository root -> its sibling shared/ folder.
  candidates.push(resolve(fileURLToPath(new URL('.', import.meta.url)), '../../../../../shared/data/fashion-mnist'));
  return candidates;
}

/** The first candidate folder holding `split`'s files, or null. */
export function findFashionMnist(split: 'train' | 't10k', extra: readonly string[] = []): string | null {
  return fashionMnistCandidates(extra).find((folder) => existsSync(join(folder, `${split}-images-idx3-ubyte.gz`))) ?? null;
}

/**
 * The first `count` images (scaled to [0, 1]) and labels of `split` ('train' or 't10k') from the
 * IDX gz files in `folder`, read by @dendrite/datasets (which names the file when a header is wrong).
 * Per file rather than `loadMnistDirectory`, because the GPU machine's kit carries only the train split.
 */
export async function loadFashionMnist(folder: string, split: 'train' | 't10k', count: number): Promise<ImageSplit> {
  const imagePath = join(folder, `${split}-images-idx3-ubyte.gz`);
  const labelPath = join(folder, `${split}-labels-idx1-ubyte.gz`);
  const [images, labels] = await Promise.all([readIdxFile(imagePath), readIdxFile(labelPath)]);
  const available = images.shape[0];
  if (images.shape.length !== 3) throw new Error(`${imagePath}: expected [count, rows, columns] images, got [${images.shape.join(', ')}]`);
  if (labels.shape.length !== 1 || labels.shape[0] !== available) throw new Error(`${labelPath}: labels [${labels.shape.join(', ')}] for ${available} images`);
  if (count > available) throw new Error(`${imagePath}: asked for ${count} images, the file has ${available}`);
  const features = images.shape[1] * images.shape[2];
  const pixels = Float32Array.from(images.data.subarray(0, count * features), (value) => value / 255);
  return { images: pixels, labels: Int32Array.from(labels.data.subarray(0, count)), count, features };
}
