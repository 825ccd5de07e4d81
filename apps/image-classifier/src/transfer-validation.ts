// Choosing the transfer method without the test set: each candidate (head kind, imprinting, rates) is trained on
// four fifths of a seeded few-labels sample and scored on the held-out fifth, over seeds the README's tables do
// not use. What wins here may become the default; the test images only ever measure the result.
import { DendriteError } from '@dendrite/core';
import { loadModel } from '@dendrite/layers/node';
import type { ImageDataset, ImageSplit } from './data.js';
import { DEFAULT_BUDGET, finetune, trainFromScratch, type Budget, type HeadKind } from './finetune-core.js';
import { accuracyOn, seededRandom, selectClasses, shuffleInPlace } from './finetune-train.js';
import { TRANSFER_SPLITS, TRUNK_END, pretrainedModelDirectory, type TransferSplit } from './pretrained/recipe.js';
import { spread } from './transfer-table.js';

/** One candidate: fine-tuning the split's shipped model, or the from-scratch network, with these settings. */
export interface TransferVariant {
  name: string;
  arm: 'finetune' | 'scratch';
  head?: HeadKind;
  /** Fine-tuning with a cosine head only: imprinted initial weights. */
  imprint?: boolean;
  /** The head reads pool1's and pool2's features joined. */
  multiScale?: boolean;
  /** Overrides of the budget's rates. */
  learningRate?: number;
  tuneLearningRate?: number;
  scratchLearningRate?: number;
}

/** The candidates the README's validation table compares (the first of each arm is the current default). */
export const DEFAULT_VARIANTS: readonly TransferVariant[] = [
  { name: 'fine-tuned, dense head', arm: 'finetune', head: 'dense' },
  { name: 'fine-tuned, cosine head', arm: 'finetune', head: 'cosine' },
  { name: 'fine-tuned, cosine head, imprinted', arm: 'finetune', head: 'cosine', imprint: true },
  { name: 'scratch, dense head', arm: 'scratch', head: 'dense' },
  { name: 'scratch, cosine head', arm: 'scratch', head: 'cosine' },
];

/**
 * Imprinting at lower head rates. The cosine head only sees its columns' directions, and Adam moves every weight
 * by about its rate per step whatever the weight's size, so imprinted unit-norm columns (entries about 0.025) are
 * rewritten within a few steps at 3e-3; lower rates keep the imprinted start (Qi et al. fine-tune it gently).
 */
export const IMPRINT_RATE_VARIANTS: readonly TransferVariant[] = [
  { name: 'fine-tuned, cosine head, imprinted, head rate 3e-4', arm: 'finetune', head: 'cosine', imprint: true, learningRate: 3e-4 },
  { name: 'fine-tuned, cosine head, imprinted, head rate 3e-5', arm: 'finetune', head: 'cosine', imprint: true, learningRate: 3e-5 },
];

/** Multi-scale features (pool1 and pool2 joined) with the dense head, for both arms. */
export const MULTI_SCALE_VARIANTS: readonly TransferVariant[] = [
  { name: 'fine-tuned, dense head, multi-scale', arm: 'finetune', head: 'dense', multiScale: true },
  { name: 'scratch, dense head, multi-scale', arm: 'scratch', head: 'dense', multiScale: true },
];

/** One candidate at one labels-per-class count: its held-out accuracy per seed. */
export interface ValidationRow {
  variant: string;
  labelsPerClass: number;
  seeds: number[];
  /** Fine-tuning only: after the head phase, per seed. */
  headOnly?: number[];
  /** After all training, per seed. */
  accuracy: number[];
}

/** What {@link validateTransfer} runs. */
export interface ValidationOptions {
  split: TransferSplit;
  labelsPerClass: readonly number[];
  /** Seeds of the samples (default 11–15: disjoint from the tables' 1–5). */
  seeds?: readonly number[];
  variants?: readonly TransferVariant[];
  budget?: Budget;
  onResult?: (variant: string, labelsPerClass: number, seed: number, accuracy: number, headOnly?: number) => void;
}

/**
 * Splits a few-labels sample into the images trained on and a held-out fifth (of each class, seeded; at least
 * one image per class each side), the validation set of {@link validateTransfer}.
 *
 * @example
 * ```ts
 * const { train, validation } = holdOutFifth(selectClasses(data.train, [3, 4, 6, 8, 9], { perClass: 10, seed: 11 }), 11);
 * // 8 + 2 images per class
 * ```
 */
export function holdOutFifth(sample: ImageSplit, seed: number): { train: ImageSplit; validation: ImageSplit } {
  const byClass = new Map<number, number[]>();
  for (let index = 0; index < sample.count; index++) {
    const label = sample.labels[index];
    byClass.set(label, [...(byClass.get(label) ?? []), index]);
  }
  const random = seededRandom(seed);
  const trainIndices: number[] = [];
  const validationIndices: number[] = [];
  for (const [label, indices] of [...byClass].sort((a, b) => a[0] - b[0])) {
    if (indices.length < 2) throw new DendriteError(`holdOutFifth: class ${label} has ${indices.length} image; at least 2 are needed to hold one out`);
    const held = Math.max(1, Math.floor(indices.length / 5));
    shuffleInPlace(indices, random);
    validationIndices.push(...indices.slice(0, held));
    trainIndices.push(...indices.slice(held));
  }
  return { train: rows(sample, trainIndices.sort((a, b) => a - b)), validation: rows(sample, validationIndices.sort((a, b) => a - b)) };
}

function rows(split: ImageSplit, indices: readonly number[]): ImageSplit {
  const pixels = split.height * split.width;
  const images = new Float32Array(indices.length * pixels);
  indices.forEach((index, row) => images.set(split.images.subarray(index * pixels, (index + 1) * pixels), row * pixels));
  return { images, labels: Int32Array.from(indices, (index) => split.labels[index]), count: indices.length, height: split.height, width: split.width };
}

/**
 * Scores each variant on the held-out fifth of seeded few-labels samples of the split's new classes (training
 * images only; the test set plays no part), every variant on the same samples.
 *
 * @example
 * ```ts
 * const rows = await validateTransfer(await loadImageData(), { split: 'paired', labelsPerClass: [10, 50] });
 * console.log(validationMarkdown(rows));
 * ```
 */
export async function validateTransfer(data: ImageDataset, options: ValidationOptions): Promise<ValidationRow[]> {
  const { newClasses } = TRANSFER_SPLITS[options.split];
  const seeds = options.seeds ?? [11, 12, 13, 14, 15];
  const variants = options.variants ?? DEFAULT_VARIANTS;
  const rowsOut: ValidationRow[] = [];
  for (const labelsPerClass of options.labelsPerClass) {
    const byVariant = variants.map((variant): ValidationRow => ({
      variant: variant.name, labelsPerClass, seeds: [...seeds], accuracy: [], ...(variant.arm === 'finetune' ? { headOnly: [] } : {}),
    }));
    for (const seed of seeds) {
      const { train, validation } = holdOutFifth(selectClasses(data.train, newClasses, { perClass: labelsPerClass, seed }), seed);
      for (const [index, variant] of variants.entries()) {
        const budget = {
          ...(options.budget ?? DEFAULT_BUDGET), seed,
          ...(variant.learningRate === undefined ? {} : { learningRate: variant.learningRate }),
          ...(variant.tuneLearningRate === undefined ? {} : { tuneLearningRate: variant.tuneLearningRate }),
          ...(variant.scratchLearningRate === undefined ? {} : { scratchLearningRate: variant.scratchLearningRate }),
        };
        let accuracy: number;
        let headOnly: number | undefined;
        if (variant.arm === 'finetune') {
          const pretrained = await loadModel(pretrainedModelDirectory(options.split));
          const { model } = await finetune(pretrained, {
            ...budget, train, classes: newClasses.length, freezeUntil: TRUNK_END, head: variant.head, imprint: variant.imprint, multiScale: variant.multiScale,
            afterHead: async (headModel) => { headOnly = await accuracyOn(headModel, validation); },
          });
          accuracy = await accuracyOn(model, validation);
          model.dispose();
          byVariant[index].headOnly!.push(headOnly!);
        } else {
          const model = await trainFromScratch({ ...budget, train, classes: newClasses.length, head: variant.head, multiScale: variant.multiScale });
          accuracy = await accuracyOn(model, validation);
          model.dispose();
        }
        byVariant[index].accuracy.push(accuracy);
        options.onResult?.(variant.name, labelsPerClass, seed, accuracy, headOnly);
      }
    }
    rowsOut.push(...byVariant);
  }
  return rowsOut;
}

/**
 * The validation rows as a Markdown table: each variant's mean held-out accuracy (and min–max) at each count,
 * head-only beside it for fine-tuning.
 */
export function validationMarkdown(rows: readonly ValidationRow[]): string {
  const percent = (value: number) => (value * 100).toFixed(1);
  const cell = (values: readonly number[]) => {
    const { mean, min, max } = spread(values);
    return `${percent(mean)}% (${percent(min)} to ${percent(max)})`;
  };
  return [
    '| labelled images per class | variant | held-out accuracy | head only |',
    '| ---: | --- | ---: | ---: |',
    ...rows.map((row) => `| ${row.labelsPerClass} | ${row.variant} | ${cell(row.accuracy)} | ${row.headOnly ? cell(row.headOnly) : ''} |`),
  ].join('\n');
}
