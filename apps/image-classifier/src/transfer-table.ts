// The README's transfer-learning table: for each labels-per-class count, a seeded sample of the new classes'
// training images, fine-tuned from the shipped pre-trained model vs trained from scratch with the same labels
// and the same budget, both measured on the new classes' test images.
import { loadModel } from '@dendrite/layers/node';
import type { ImageDataset } from './data.js';
import { DEFAULT_BUDGET, finetune, trainFromScratch, type Budget } from './finetune-core.js';
import { accuracyOn, selectClasses } from './finetune-train.js';
import { NEW_CLASSES, TRUNK_END, pretrainedModelDirectory } from './pretrained/recipe.js';

/** One row of the table. */
export interface TransferRow {
  labelsPerClass: number;
  /** Accuracy after the head phase alone (base frozen). */
  headOnly: number;
  /** Accuracy after also fine-tuning the top block at the lower rate. */
  finetuned: number;
  /** The same network from random weights, same labels, same number of steps. */
  scratch: number;
}

/** What to run: the defaults are the README's table. */
export interface TransferTableOptions {
  labelsPerClass: readonly number[];
  budget: Budget;
  /** Evaluate on the first `testLimit` test images of the new classes (default: all 5,000). */
  testLimit?: number;
  pretrainedDirectory?: string;
  onRow?: (row: TransferRow) => void;
}

export const TRANSFER_TABLE_DEFAULTS: TransferTableOptions = { labelsPerClass: [10, 50, 200], budget: DEFAULT_BUDGET };

/**
 * Runs the comparison on `data` (Fashion-MNIST): classes 3, 4, 6, 7, 9 learned from few labels.
 *
 * @example
 * ```ts
 * const rows = await transferTable(await loadImageData(), { ...TRANSFER_TABLE_DEFAULTS, labelsPerClass: [10] });
 * ```
 */
export async function transferTable(data: ImageDataset, options: TransferTableOptions = TRANSFER_TABLE_DEFAULTS): Promise<TransferRow[]> {
  const allTest = selectClasses(data.test, NEW_CLASSES);
  const test = options.testLimit === undefined ? allTest : { ...allTest, count: Math.min(options.testLimit, allTest.count) };
  const rows: TransferRow[] = [];
  for (const labelsPerClass of options.labelsPerClass) {
    const train = selectClasses(data.train, NEW_CLASSES, { perClass: labelsPerClass, seed: options.budget.seed });
    const pretrained = await loadModel(options.pretrainedDirectory ?? pretrainedModelDirectory());
    let headOnly = 0;
    const { model } = await finetune(pretrained, {
      ...options.budget, train, classes: NEW_CLASSES.length, freezeUntil: TRUNK_END,
      afterHead: async (headModel) => { headOnly = await accuracyOn(headModel, test); },
    });
    const finetuned = await accuracyOn(model, test);
    model.dispose();
    const scratchModel = await trainFromScratch({ ...options.budget, train, classes: NEW_CLASSES.length });
    const scratch = await accuracyOn(scratchModel, test);
    scratchModel.dispose();
    const row = { labelsPerClass, headOnly, finetuned, scratch };
    options.onRow?.(row);
    rows.push(row);
  }
  return rows;
}

/** The rows as a Markdown table (accuracy in percent). */
export function transferTableMarkdown(rows: readonly TransferRow[]): string {
  const percent = (value: number) => `${(value * 100).toFixed(1)}%`;
  return [
    '| labelled images per class | fine-tuned: head only | fine-tuned: head + top block | from scratch | fine-tuned − scratch |',
    '| ---: | ---: | ---: | ---: | ---: |',
    ...rows.map((row) => `| ${row.labelsPerClass} | ${percent(row.headOnly)} | ${percent(row.finetuned)} | ${percent(row.scratch)} | ${((row.finetuned - row.scratch) * 100).toFixed(1)} points |`),
  ].join('\n');
}
