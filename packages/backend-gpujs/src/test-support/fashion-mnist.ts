/**
 * Node-side Fashion-MNIST reading for the tests and the benchmark: the IDX gz files from
 * `$DENDRITE_DATA/fashion-mnist` or the repository's `../shared/data/fashion-mnist`, decoded with
 * node:zlib. (Users load datasets with @dendrite/datasets; this package only needs a subset.)
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import type { ImageSplit } from './mlp-training.js';

const IMAGE_MAGIC = 2051;
const LABEL_MAGIC = 2049;

/** Folders that may hold the files, in the order they are tried. */
export function fashionMnistCandidates(extra: readonly string[] = []): string[] {
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
 * IDX gz files in `folder`. Throws naming the file when a header is wrong.
 */
export function loadFashionMnist(folder: string, split: 'train' | 't10k', count: number): ImageSplit {
  const imagePath = join(folder, `${split}-images-idx3-ubyte.gz`);
  const labelPath = join(folder, `${split}-labels-idx1-ubyte.gz`);
  const imageBytes = gunzipSync(readFileSync(imagePath));
  const labelBytes = gunzipSync(readFileSync(labelPath));
  const images = new DataView(imageBytes.buffer, imageBytes.byteOffset, imageBytes.byteLength);
  const labels = new DataView(labelBytes.buffer, labelBytes.byteOffset, labelBytes.byteLength);
  if (images.getUint32(0) !== IMAGE_MAGIC) throw new Error(`${imagePath}: not an IDX image file (magic ${images.getUint32(0)}, expected ${IMAGE_MAGIC})`);
  if (labels.getUint32(0) !== LABEL_MAGIC) throw new Error(`${labelPath}: not an IDX label file (magic ${labels.getUint32(0)}, expected ${LABEL_MAGIC})`);
  const available = images.getUint32(4);
  if (labels.getUint32(4) !== available) throw new Error(`${labelPath}: ${labels.getUint32(4)} labels for ${available} images`);
  if (count > available) throw new Error(`${imagePath}: asked for ${count} images, the file has ${available}`);
  const features = images.getUint32(8) * images.getUint32(12);
  const pixels = new Float32Array(count * features);
  for (let index = 0; index < pixels.length; index++) pixels[index] = imageBytes[16 + index] / 255;
  const classes = new Int32Array(count);
  for (let index = 0; index < count; index++) classes[index] = labelBytes[8 + index];
  return { images: pixels, labels: classes, count, features };
}
