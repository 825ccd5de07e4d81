// `classifier predict`: PNG/JPEG files of any size and colour → the top-3 classes of a saved model.
import { readFile } from 'node:fs/promises';
import { softmax, tensor, tidy } from '@dendrite/core';
import { DatasetError, decodeImage, detectImageFormat } from '@dendrite/datasets';
import { toModelInput, topClasses } from './preprocess.js';
import type { SavedClassifier } from './saved-model.js';

/** Images larger than this many pixels are refused before decoding (a 20000×20000 PNG would need 6 GB). */
const MAXIMUM_PIXELS = 40_000_000;

/** One file's prediction. */
export interface Prediction {
  file: string;
  top: { label: string; index: number; probability: number }[];
  /** Whether the image was inverted (light background) to look like the training data. */
  inverted: boolean;
}

/** A PNG's width × height from its IHDR chunk, read before decoding. */
function pngPixels(bytes: Uint8Array): number {
  if (bytes.length < 24) return 0;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return view.getUint32(16, false) * view.getUint32(20, false);
}

/** Reads and decodes one image file, checking its format and size first. */
export async function readPicture(path: string) {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch (error) {
    throw new DatasetError(`cannot read the image (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`, { file: path, cause: error });
  }
  const format = detectImageFormat(bytes);
  if (format === undefined) throw new DatasetError('not a PNG or JPEG image; predict takes .png and .jpg files', { file: path });
  if (format === 'png' && pngPixels(bytes) > MAXIMUM_PIXELS) {
    throw new DatasetError(`the PNG header claims ${pngPixels(bytes)} pixels, over the limit of ${MAXIMUM_PIXELS}; shrink the image first`, { file: path });
  }
  return decodeImage(bytes, { source: path });
}

/**
 * Classifies image files with a saved classifier: each is prepared as the training data looked
 * (see preprocess.ts) and the three most probable classes are returned.
 *
 * @example
 * ```ts
 * const [first] = await predictFiles(await loadClassifier('runs/cnn'), ['boot.jpg']);
 * console.log(first.top[0]); // { label: 'Ankle boot', index: 9, probability: 0.97 }
 * ```
 */
export async function predictFiles(classifier: SavedClassifier, files: string[]): Promise<Prediction[]> {
  const { height, width, classNames } = classifier.info;
  const prepared = await Promise.all(files.map(async (file) => ({ file, ...toModelInput(await readPicture(file), width, height) })));
  const batch = new Float32Array(prepared.length * width * height);
  prepared.forEach(({ pixels }, index) => batch.set(pixels, index * width * height));
  const probabilities = tidy(() => softmax(classifier.model.predict(tensor(batch, [prepared.length, height, width, 1]), { batchSize: 64 }), 1));
  const values = await probabilities.data() as Float32Array;
  probabilities.dispose();
  const classes = classNames.length;
  return prepared.map(({ file, inverted }, index) => ({
    file, inverted, top: topClasses(values.subarray(index * classes, (index + 1) * classes), classNames, Math.min(3, classes)),
  }));
}

/** One line per file: `file: Label 91.2%, Label 5.0%, Label 1.1%`. */
export function formatPrediction(prediction: Prediction): string {
  const classes = prediction.top.map(({ label, probability }) => `${label} ${(probability * 100).toFixed(1)}%`).join(', ');
  return `${prediction.file}: ${classes}${prediction.inverted ? '  (light background: inverted)' : ''}`;
}
