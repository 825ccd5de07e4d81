import { DatasetError } from './errors.js';
import type { IdxData } from './idx.js';

/** Images scaled to [0, 1] with their shape `[count, height, width]` (or whatever the IDX header said). */
export interface NormalizedImages {
  images: Float32Array;
  shape: number[];
}

/** One split of an image-classification dataset: images in [0, 1], row-major, and integer labels. */
export interface LabeledImages {
  images: Float32Array;
  /** `[count, height, width]` for grayscale IDX images. */
  shape: number[];
  labels: Int32Array;
}

/** Train and test splits plus the names of the classes (index = label). */
export interface ImageClassificationData {
  train: LabeledImages;
  test: LabeledImages;
  classNames: string[];
}

/** Class names of Fashion-MNIST, in label order. */
export const FASHION_MNIST_CLASS_NAMES: readonly string[] = [
  'T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot',
];

/** Class names of MNIST, in label order. */
export const MNIST_CLASS_NAMES: readonly string[] = ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'];

/**
 * Converts IDX unsigned-byte images to a Float32Array in [0, 1] (each value divided by 255).
 *
 * @example
 * ```ts
 * const { images, shape } = normalizeIdxImages(parseIdx(bytes)); // shape [10000, 28, 28]
 * ```
 */
export function normalizeIdxImages(
  idx: IdxData,
  options: { source?: string; expectedCount?: number } = {},
): NormalizedImages {
  const source = options.source ?? 'images';
  if (!(idx.data instanceof Uint8Array)) {
    throw new DatasetError('expected unsigned-byte images (IDX type 0x08)', { file: source });
  }
  if (idx.shape.length < 2) {
    throw new DatasetError(`expected images of rank 3 ([count, height, width]), got shape [${idx.shape.join(', ')}]; is this a label file?`, { file: source });
  }
  if (options.expectedCount !== undefined && idx.shape[0] !== options.expectedCount) {
    throw new DatasetError(`expected ${options.expectedCount} images, the header says ${idx.shape[0]}`, { file: source });
  }
  const pixels = idx.data;
  const images = new Float32Array(pixels.length);
  for (let index = 0; index < pixels.length; index++) images[index] = pixels[index] / 255;
  return { images, shape: idx.shape.slice() };
}

/**
 * Converts IDX labels to an Int32Array, checking that every label lies in `0..numClasses-1`.
 *
 * @example
 * ```ts
 * const labels = idxLabels(parseIdx(bytes), { numClasses: 10 });
 * ```
 */
export function idxLabels(
  idx: IdxData,
  options: { numClasses: number; source?: string; expectedCount?: number },
): Int32Array {
  const source = options.source ?? 'labels';
  if (idx.shape.length !== 1) {
    throw new DatasetError(`expected labels of rank 1 ([count]), got shape [${idx.shape.join(', ')}]; is this an image file?`, { file: source });
  }
  if (options.expectedCount !== undefined && idx.shape[0] !== options.expectedCount) {
    throw new DatasetError(`expected ${options.expectedCount} labels, the header says ${idx.shape[0]}`, { file: source });
  }
  const labels = new Int32Array(idx.data.length);
  for (let index = 0; index < labels.length; index++) {
    const label = idx.data[index];
    if (!Number.isInteger(label) || label < 0 || label >= options.numClasses) {
      throw new DatasetError(`label ${label} is out of range 0..${options.numClasses - 1}`, { file: source, field: `label[${index}]` });
    }
    labels[index] = label;
  }
  return labels;
}

/**
 * Pairs an IDX image file with its IDX label file, checking that the counts agree.
 *
 * @example
 * ```ts
 * const test = labeledImagesFromIdx(parseIdx(imageBytes), parseIdx(labelBytes), { numClasses: 10 });
 * ```
 */
export function labeledImagesFromIdx(
  images: IdxData,
  labels: IdxData,
  options: { numClasses: number; imagesSource?: string; labelsSource?: string; expectedCount?: number },
): LabeledImages {
  const normalized = normalizeIdxImages(images, { source: options.imagesSource, expectedCount: options.expectedCount });
  const labelArray = idxLabels(labels, { numClasses: options.numClasses, source: options.labelsSource, expectedCount: options.expectedCount });
  if (labelArray.length !== normalized.shape[0]) {
    throw new DatasetError(
      `${normalized.shape[0]} images but ${labelArray.length} labels (${options.labelsSource ?? 'labels'}); the two files do not belong together`,
      { file: options.imagesSource ?? 'images' },
    );
  }
  return { images: normalized.images, shape: normalized.shape, labels: labelArray };
}
