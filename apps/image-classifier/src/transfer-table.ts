// The README's transfer-learning table: for each labels-per-class count and each of several seeded samples of
// the new classes' training images, the shipped pre-trained model fine-tuned vs the same network trained from
// scratch with the same labels and the same budget, both measured on the new classes' test images.
import { DendriteError } from '@dendrite/core';
import { loadModel } from '@dendrite/layers/node';
import type { ImageDataset } from './data.js';
import { DEFAULT_BUDGET, finetune, trainFromScratch, type Budget, type HeadKind, type HeadOptions } from './finetune-core.js';
import { accuracyOn, selectClasses } from './finetune-train.js';
import { TRANSFER_SPLITS, TRUNK_END, pretrainedModelDirectory, type TransferSplit } from './pretrained/recipe.js';

/** One row of the table: one labels-per-class count, every arm measured on the same samples. */
export interface TransferRow {
  labelsPerClass: number;
  /** The seed of each sample (of the labelled images, the new head, the batch order); index k in every list below. */
  seeds: number[];
  /** Accuracy after the head phase alone (base frozen), per sample. */
  headOnly: number[];
  /** Accuracy after also fine-tuning the top block at the lower rate, per sample. */
  finetuned: number[];
  /** The same network from random weights, same labels, same number of steps, per sample. */
  scratch: number[];
}

/** What to run: the defaults are the README's table. */
export interface TransferTableOptions {
  labelsPerClass: readonly number[];
  budget: Budget;
  /** Which classes are learned, from which shipped model (default `first-last`: 0–4 → 5–9). */
  split?: TransferSplit;
  /** Seeded samples per count: seeds budget.seed, budget.seed + 1, … (default 5). */
  samples?: number;
  /** Evaluate on the first `testLimit` test images of the new classes (default: all 5,000). */
  testLimit?: number;
  /** Overrides the split's shipped model. */
  pretrainedDirectory?: string;
  /** The fine-tuned arm's head (default: `finetune`'s default, a dense head). */
  head?: HeadOptions;
  /** The from-scratch arm's head kind (default: `head.head`, so both arms are the same network; `head.multiScale` applies to both). */
  scratchHead?: HeadKind;
  onSample?: (labelsPerClass: number, seed: number, accuracies: { headOnly: number; finetuned: number; scratch: number }) => void;
  onRow?: (row: TransferRow) => void;
}

export const TRANSFER_TABLE_DEFAULTS: TransferTableOptions = { labelsPerClass: [10, 50, 200], budget: DEFAULT_BUDGET, samples: 5, split: 'first-last' };

/**
 * Runs the comparison on `data` (Fashion-MNIST): the split's new classes (5–9 by default) learned from few
 * labels, over several seeded samples; both arms see the same sample of each seed.
 *
 * @example
 * ```ts
 * const rows = await transferTable(await loadImageData(), { ...TRANSFER_TABLE_DEFAULTS, labelsPerClass: [10], samples: 3 });
 * ```
 */
export async function transferTable(data: ImageDataset, options: TransferTableOptions = TRANSFER_TABLE_DEFAULTS): Promise<TransferRow[]> {
  const samples = options.samples ?? 5;
  if (!Number.isInteger(samples) || samples < 1) throw new DendriteError(`transferTable: samples must be an integer ≥ 1, got ${samples}`);
  const split = options.split ?? 'first-last';
  const newClasses = TRANSFER_SPLITS[split].newClasses;
  const allTest = selectClasses(data.test, newClasses);
  const test = options.testLimit === undefined ? allTest : { ...allTest, count: Math.min(options.testLimit, allTest.count) };
  const rows: TransferRow[] = [];
  for (const labelsPerClass of options.labelsPerClass) {
    const row: TransferRow = { labelsPerClass, seeds: [], headOnly: [], finetuned: [], scratch: [] };
    for (let sample = 0; sample < samples; sample++) {
      const seed = options.budget.seed + sample;
      const budget = { ...options.budget, seed };
      const train = selectClasses(data.train, newClasses, { perClass: labelsPerClass, seed });
      const pretrained = await loadModel(options.pretrainedDirectory ?? pretrainedModelDirectory(split));
      let headOnly = 0;
      const { model } = await finetune(pretrained, {
        ...budget, ...options.head, train, classes: newClasses.length, freezeUntil: TRUNK_END,
        afterHead: async (headModel) => { headOnly = await accuracyOn(headModel, test); },
      });
      const finetuned = await accuracyOn(model, test);
      model.dispose();
      const scratchModel = await trainFromScratch({ ...budget, train, classes: newClasses.length, head: options.scratchHead ?? options.head?.head, multiScale: options.head?.multiScale });
      const scratch = await accuracyOn(scratchModel, test);
      scratchModel.dispose();
      row.seeds.push(seed);
      row.headOnly.push(headOnly);
      row.finetuned.push(finetuned);
      row.scratch.push(scratch);
      options.onSample?.(labelsPerClass, seed, { headOnly, finetuned, scratch });
    }
    options.onRow?.(row);
    rows.push(row);
  }
  return rows;
}

/** Mean, smallest and largest of a non-empty list. */
export function spread(values: readonly number[]): { mean: number; min: number; max: number } {
  return { mean: values.reduce((total, value) => total + value, 0) / values.length, min: Math.min(...values), max: Math.max(...values) };
}

/**
 * The rows as a Markdown table: each arm's mean accuracy over the samples with its min–max, in percent, and
 * the paired difference (fine-tuned − scratch on the same sample): its mean, min–max and how many samples it won.
 */
export function transferTableMarkdown(rows: readonly TransferRow[]): string {
  // A difference that rounds to zero prints as 0.0, not -0.0.
  const percent = (value: number) => (value * 100).toFixed(1).replace(/^-0\.0$/, '0.0');
  const cell = (values: readonly number[], unit: string) => {
    const { mean, min, max } = spread(values);
    return `${percent(mean)}${unit} (${percent(min)} to ${percent(max)})`;
  };
  return [
    '| labelled images per class | fine-tuned: head only | fine-tuned: head + top block | from scratch | fine-tuned − scratch, same sample | samples fine-tuned wins |',
    '| ---: | ---: | ---: | ---: | ---: | ---: |',
    ...rows.map((row) => {
      const differences = row.finetuned.map((value, index) => value - row.scratch[index]);
      const wins = differences.filter((difference) => difference > 0).length;
      return `| ${row.labelsPerClass} | ${cell(row.headOnly, '%')} | ${cell(row.finetuned, '%')} | ${cell(row.scratch, '%')} | ${cell(differences, ' points')} | ${wins} of ${row.seeds.length} |`;
    }),
  ].join('\n');
}
