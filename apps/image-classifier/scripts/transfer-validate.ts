// pnpm --filter @dendrite/image-classifier transfer-validate [--split first-last|confusable|paired] [--data DIR] [--labels 10,50] [--seeds 11,12,13,14,15]
//     [--variants default|imprint-rates|multi-scale] [--json FILE]
// Chooses the transfer method on held-out training images: each candidate head (dense, cosine, cosine with
// imprinted weights) for fine-tuning and for the from-scratch network, trained on four fifths of seeded few-labels
// samples of the split's new classes and scored on the other fifth (never on the test set).
import { writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { ready } from '@dendrite/core';
import { loadImageData } from '../src/data.js';
import { TRANSFER_SPLITS, type TransferSplit } from '../src/pretrained/recipe.js';
import { DEFAULT_VARIANTS, IMPRINT_RATE_VARIANTS, MULTI_SCALE_VARIANTS, validateTransfer, validationMarkdown } from '../src/transfer-validation.js';

const { values } = parseArgs({ options: { data: { type: 'string' }, labels: { type: 'string' }, seeds: { type: 'string' }, split: { type: 'string' }, json: { type: 'string' }, variants: { type: 'string' } } });
await ready();
const split = (values.split ?? 'first-last') as TransferSplit;
if (!(split in TRANSFER_SPLITS)) throw new Error(`--split must be one of ${Object.keys(TRANSFER_SPLITS).join(', ')}, got "${split}"`);
const labelsPerClass = (values.labels ?? '10,50').split(',').map(Number);
const variantSets = { default: DEFAULT_VARIANTS, 'imprint-rates': IMPRINT_RATE_VARIANTS, 'multi-scale': MULTI_SCALE_VARIANTS };
const variantSet = (values.variants ?? 'default') as keyof typeof variantSets;
if (!(variantSet in variantSets)) throw new Error(`--variants must be one of ${Object.keys(variantSets).join(', ')}, got "${variantSet}"`);
const seeds = values.seeds === undefined ? undefined : values.seeds.split(',').map(Number);
const start = performance.now();
const cpuStart = process.cpuUsage();
const rows = await validateTransfer(await loadImageData(values.data), {
  split, labelsPerClass, seeds, variants: variantSets[variantSet],
  onResult: (variant, labels, seed, accuracy, headOnly) =>
    console.log(`${labels} per class, seed ${seed}, ${variant}: ${(accuracy * 100).toFixed(1)}%${headOnly === undefined ? '' : ` (head only ${(headOnly * 100).toFixed(1)}%)`}`),
});
const cpu = process.cpuUsage(cpuStart);
console.log(`\nsplit ${split}: held-out fifth of each sample, ${((performance.now() - start) / 1000).toFixed(0)} s wall, ${((cpu.user + cpu.system) / 1e6).toFixed(0)} s CPU\n`);
console.log(validationMarkdown(rows));
if (values.json !== undefined) await writeFile(values.json, `${JSON.stringify({ split, rows }, null, 2)}\n`);
