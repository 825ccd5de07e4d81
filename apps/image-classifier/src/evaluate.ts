// `classifier eval`: accuracy, per-class accuracy and the confusion matrix of a saved model on a test split.
import { argmax, tensor, tidy } from '@dendrite/core';
import { DatasetError } from '@dendrite/datasets';
import { type ImageSplit } from './data.js';
import type { SavedClassifier } from './saved-model.js';

/** What {@link evaluateClassifier} returns (and `eval --json` prints). */
export interface Evaluation {
  accuracy: number;
  /** Per class (by name): the fraction of its test images classified correctly (its recall). */
  perClass: Record<string, number>;
  /** `confusion[actual][predicted]`: image counts. */
  confusion: number[][];
  classNames: string[];
  count: number;
}

/** The predicted class of every image of `split`, in batches. */
export async function predictClasses(classifier: SavedClassifier, split: ImageSplit, batchSize = 500): Promise<Int32Array> {
  const predictions = new Int32Array(split.count);
  const pixels = split.height * split.width;
  for (let start = 0; start < split.count; start += batchSize) {
    const size = Math.min(batchSize, split.count - start);
    const classes = tidy(() => {
      const images = tensor(split.images.subarray(start * pixels, (start + size) * pixels), [size, split.height, split.width, 1]);
      return argmax(classifier.model.predict(images, { batchSize }), 1);
    });
    predictions.set(await classes.data() as Int32Array, start);
    classes.dispose();
  }
  return predictions;
}

/**
 * Evaluates a saved classifier on `split` (its images must have the model's size, its labels its classes).
 *
 * @example
 * ```ts
 * const { accuracy, perClass, confusion } = await evaluateClassifier(await loadClassifier('runs/cnn'), test);
 * ```
 */
export async function evaluateClassifier(classifier: SavedClassifier, split: ImageSplit, source = 'the test images'): Promise<Evaluation> {
  const { classNames, height, width } = classifier.info;
  if (split.height !== height || split.width !== width) {
    throw new DatasetError(`images are ${split.height}×${split.width} but the model takes ${height}×${width}; evaluate on the data it was trained on`, { file: source });
  }
  const classes = classNames.length;
  for (let index = 0; index < split.count; index++) {
    if (split.labels[index] >= classes) {
      throw new DatasetError(`label ${split.labels[index]} is beyond the model's ${classes} classes; evaluate on the data it was trained on`, { file: source, field: `label[${index}]` });
    }
  }
  const predictions = await predictClasses(classifier, split);
  const confusion = Array.from({ length: classes }, () => new Array<number>(classes).fill(0));
  let correct = 0;
  for (let index = 0; index < split.count; index++) {
    confusion[split.labels[index]][predictions[index]]++;
    if (split.labels[index] === predictions[index]) correct++;
  }
  const perClass: Record<string, number> = {};
  classNames.forEach((name, index) => {
    const total = confusion[index].reduce((sum, count) => sum + count, 0);
    perClass[name] = total === 0 ? Number.NaN : confusion[index][index] / total;
  });
  return { accuracy: correct / split.count, perClass, confusion, classNames, count: split.count };
}

/** The evaluation as text: accuracy, a per-class table, and the confusion matrix with short headers. */
export function formatEvaluation(evaluation: Evaluation): string {
  const { classNames, confusion } = evaluation;
  const nameWidth = Math.max(...classNames.map((name) => name.length), 'actual \\ predicted'.length);
  const lines = [`accuracy ${(evaluation.accuracy * 100).toFixed(2)}% on ${evaluation.count} test images`, '', 'per class:'];
  for (const name of classNames) lines.push(`  ${name.padEnd(nameWidth)}  ${(evaluation.perClass[name] * 100).toFixed(1).padStart(5)}%`);
  const cellWidth = Math.max(5, ...confusion.flat().map((count) => String(count).length + 1));
  lines.push('', 'confusion matrix (rows: actual class, columns: predicted, in class order):');
  lines.push(`  ${'actual \\ predicted'.padEnd(nameWidth)}${classNames.map((_, index) => String(index).padStart(cellWidth)).join('')}`);
  confusion.forEach((row, index) => {
    lines.push(`  ${`${index} ${classNames[index]}`.padEnd(nameWidth)}${row.map((count) => String(count).padStart(cellWidth)).join('')}`);
  });
  return lines.join('\n');
}
