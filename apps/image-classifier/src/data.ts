// Finding and reading an MNIST-style image-classification set: four IDX files (plain or gzip) with the
// standard names. Every size a header claims is checked against the bytes really there before anything
// is allocated from it, so a corrupt or truncated file is one clear error, never a huge allocation.
import { existsSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import {
  DatasetError, FASHION_MNIST_CLASS_NAMES, FASHION_MNIST_DESCRIPTOR, isGzip, labeledImagesFromIdx, parseIdx,
  type IdxData, type LabeledImages,
} from '@dendrite/datasets';
import { ensureDataset } from '@dendrite/datasets/node';

/** The four files of a set, by their standard MNIST names (without `.gz`). */
export const IDX_FILE_NAMES = {
  trainImages: 'train-images-idx3-ubyte',
  trainLabels: 'train-labels-idx1-ubyte',
  testImages: 't10k-images-idx3-ubyte',
  testLabels: 't10k-labels-idx1-ubyte',
} as const;

/** Uncompressed IDX files larger than this are refused (Fashion-MNIST's largest is 47 MB). */
const MAXIMUM_IDX_BYTES = 1024 ** 3;

const ELEMENT_BYTES: Record<number, number> = { 0x08: 1, 0x09: 1, 0x0b: 2, 0x0c: 4, 0x0d: 4, 0x0e: 8 };

/** Images as NHWC float32 in [0, 1] ([count, height, width, 1]) with int32 labels. */
export interface ImageSplit {
  images: Float32Array;
  labels: Int32Array;
  count: number;
  height: number;
  width: number;
}

/** A loaded set: both splits, the class names (index = label) and where it came from. */
export interface ImageDataset {
  train: ImageSplit;
  test: ImageSplit;
  classNames: string[];
  directory: string;
}

/** The folder holding `<name>[.gz]`, or undefined. */
function findFile(directory: string, name: string): string | undefined {
  return [join(directory, name), join(directory, `${name}.gz`)].find((path) => existsSync(path));
}

/**
 * Reads one IDX file whole (gunzipping what is really there, at most 1 GiB), checks that its header's
 * shape accounts for exactly the bytes present, then parses it.
 */
export async function readIdxChecked(path: string): Promise<IdxData> {
  let bytes: Uint8Array;
  try {
    const size = (await stat(path)).size;
    if (size > MAXIMUM_IDX_BYTES) throw new DatasetError(`file is ${size} bytes, over the 1 GiB limit for an IDX file`, { file: path });
    bytes = await readFile(path);
  } catch (error) {
    if (error instanceof DatasetError) throw error;
    throw new DatasetError(`cannot read the file (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`, { file: path, cause: error });
  }
  if (isGzip(bytes)) {
    try {
      bytes = gunzipSync(bytes, { maxOutputLength: MAXIMUM_IDX_BYTES });
    } catch (error) {
      throw new DatasetError(`corrupt or truncated gzip data (${(error as Error).message}); download the file again`, { file: path, cause: error });
    }
  }
  checkIdxHeader(bytes, path);
  return parseIdx(bytes, { source: path });
}

/** Compares the byte count the header implies with the bytes present; throws naming the file on any mismatch. */
export function checkIdxHeader(bytes: Uint8Array, source: string): void {
  if (bytes.length < 4 || bytes[0] !== 0 || bytes[1] !== 0) {
    throw new DatasetError('not an IDX file (the first two bytes of an IDX file are zero)', { file: source });
  }
  const elementBytes = ELEMENT_BYTES[bytes[2]];
  if (elementBytes === undefined) throw new DatasetError(`not an IDX file: unknown element type 0x${bytes[2].toString(16)}`, { file: source });
  const rank = bytes[3];
  const headerBytes = 4 + 4 * rank;
  if (rank === 0 || bytes.length < headerBytes) throw new DatasetError(`truncated IDX header (rank ${rank}, ${bytes.length} bytes)`, { file: source });
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let claimed = elementBytes;
  const shape: number[] = [];
  for (let axis = 0; axis < rank; axis++) {
    const size = view.getUint32(4 + 4 * axis, false);
    shape.push(size);
    claimed *= size;
  }
  const present = bytes.length - headerBytes;
  if (claimed !== present) {
    throw new DatasetError(
      `the header says shape [${shape.join(', ')}] (${claimed} bytes of data) but the file holds ${present}` +
      `${claimed > present ? ' (truncated?)' : ''}; replace the file`, { file: source });
  }
}

/** Class names for a folder: Fashion-MNIST's when it is Fashion-MNIST (by folder name), else the label numbers. */
function classNamesFor(directory: string, classes: number): string[] {
  if (classes === FASHION_MNIST_CLASS_NAMES.length && /fashion/i.test(basename(resolve(directory)))) return [...FASHION_MNIST_CLASS_NAMES];
  return Array.from({ length: classes }, (_, index) => String(index));
}

function toSplit(split: LabeledImages): ImageSplit {
  const [count, height, width] = split.shape;
  return { images: split.images, labels: split.labels, count, height, width };
}

/**
 * Loads the four IDX files of `directory` (`train-images-idx3-ubyte[.gz]` …). The class count is the
 * largest label + 1; both splits must hold images of one size.
 *
 * @example
 * ```ts
 * const { train, test, classNames } = await loadIdxDirectory('/data/mnist');
 * ```
 */
export async function loadIdxDirectory(directory: string): Promise<ImageDataset> {
  if (!existsSync(directory)) throw new DatasetError('no such data folder; --data takes a folder holding MNIST-style IDX files', { file: directory });
  const paths = Object.fromEntries(Object.entries(IDX_FILE_NAMES).map(([key, name]) => {
    const path = findFile(directory, name);
    if (path === undefined) {
      throw new DatasetError(`${name}[.gz] is missing; the folder needs ${Object.values(IDX_FILE_NAMES).join(', ')} (each plain or .gz)`, { file: directory });
    }
    return [key, path];
  })) as Record<keyof typeof IDX_FILE_NAMES, string>;
  const [trainImages, trainLabels, testImages, testLabels] = await Promise.all(
    [paths.trainImages, paths.trainLabels, paths.testImages, paths.testLabels].map(readIdxChecked));
  let largest = 0;
  for (const labels of [trainLabels, testLabels]) for (const label of labels.data) largest = Math.max(largest, label);
  const classes = largest + 1;
  if (classes < 2) throw new DatasetError('the labels hold fewer than 2 classes', { file: paths.trainLabels });
  const train = toSplit(labeledImagesFromIdx(trainImages, trainLabels, { numClasses: classes, imagesSource: paths.trainImages, labelsSource: paths.trainLabels }));
  const test = toSplit(labeledImagesFromIdx(testImages, testLabels, { numClasses: classes, imagesSource: paths.testImages, labelsSource: paths.testLabels }));
  if (train.images.length !== train.count * train.height * train.width || train.height !== test.height || train.width !== test.width) {
    throw new DatasetError(`train images are ${train.height}×${train.width} but test images ${test.height}×${test.width}`, { file: paths.testImages });
  }
  return { train, test, classNames: classNamesFor(directory, classes), directory };
}

/** The shared data folder beside the checkout (`<repository root>/../shared/data`), if it holds Fashion-MNIST. */
function sharedDataFolder(): string | undefined {
  // Walk up from src/ or dist/ to the workspace root, wherever the checkout lives.
  let folder = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(folder, 'pnpm-workspace.yaml'))) {
    const parent = dirname(folder);
    if (parent === folder) return undefined;
    folder = parent;
  }
  const shared = resolve(folder, '../shared/data');
  return existsSync(join(shared, 'fashion-mnist')) ? shared : undefined;
}

/**
 * The default data: Fashion-MNIST from `$DENDRITE_DATA/fashion-mnist`, else `../shared/data`, else the
 * per-user cache, else downloaded there (the datasets package's rules).
 *
 * @example
 * ```ts
 * const directory = await defaultDataDirectory(); // e.g. /work/shared/data/fashion-mnist
 * ```
 */
export function defaultDataDirectory(): Promise<string> {
  const directory = process.env.DENDRITE_DATA ? undefined : sharedDataFolder();
  return ensureDataset(FASHION_MNIST_DESCRIPTOR, { directory });
}

/** Loads `--data DIR`, or the default Fashion-MNIST. */
export async function loadImageData(directory?: string): Promise<ImageDataset> {
  return loadIdxDirectory(directory ?? await defaultDataDirectory());
}

/** The first `count` examples of a split (views, no copy). */
export function subset(split: ImageSplit, count: number): ImageSplit {
  const kept = Math.min(count, split.count);
  const pixels = split.height * split.width;
  return { ...split, count: kept, images: split.images.subarray(0, kept * pixels), labels: split.labels.subarray(0, kept) };
}
