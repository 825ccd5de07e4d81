// pnpm --filter @dendrite/image-classifier transfer-table [--split first-last|confusable] [--data DIR] [--labels 10,50,200] [--samples K] [--json FILE]
// The README's tables: a split's new Fashion-MNIST classes (first-last: 5–9; confusable: 0, 2, 3, 4, 6) from few
// labels, fine-tuned from the split's shipped model vs from scratch, each arm's mean and min–max over K seeded
// label samples (the same samples for both arms).
import { writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { ready } from '@dendrite/core';
import { loadImageData } from '../src/data.js';
import { TRANSFER_SPLITS, type TransferSplit } from '../src/pretrained/recipe.js';
import { TRANSFER_TABLE_DEFAULTS, transferTable, transferTableMarkdown } from '../src/transfer-table.js';

const { values } = parseArgs({ options: { data: { type: 'string' }, labels: { type: 'string' }, samples: { type: 'string' }, split: { type: 'string' }, json: { type: 'string' } } });
await ready();
const split = (values.split ?? 'first-last') as TransferSplit;
if (!(split in TRANSFER_SPLITS)) throw new Error(`--split must be one of ${Object.keys(TRANSFER_SPLITS).join(', ')}, got "${split}"`);
const labelsPerClass = values.labels === undefined ? TRANSFER_TABLE_DEFAULTS.labelsPerClass : values.labels.split(',').map(Number);
const samples = values.samples === undefined ? TRANSFER_TABLE_DEFAULTS.samples : Number(values.samples);
const start = performance.now();
const cpuStart = process.cpuUsage();
const percent = (value: number) => `${(value * 100).toFixed(1)}%`;
const rows = await transferTable(await loadImageData(values.data), {
  ...TRANSFER_TABLE_DEFAULTS, labelsPerClass, samples, split,
  onSample: (labels, seed, { headOnly, finetuned, scratch }) =>
    console.log(`${labels} per class, seed ${seed}: head only ${percent(headOnly)}, fine-tuned ${percent(finetuned)}, scratch ${percent(scratch)}`),
});
const cpu = process.cpuUsage(cpuStart);
console.log(`\nsplit ${split}: classes ${TRANSFER_SPLITS[split].newClasses.join(', ')}, budget ${JSON.stringify(TRANSFER_TABLE_DEFAULTS.budget)}, ${((performance.now() - start) / 1000).toFixed(0)} s wall, ${((cpu.user + cpu.system) / 1e6).toFixed(0)} s CPU\n`);
console.log(transferTableMarkdown(rows));
if (values.json !== undefined) await writeFile(values.json, `${JSON.stringify({ split, classes: TRANSFER_SPLITS[split].newClasses, budget: TRANSFER_TABLE_DEFAULTS.budget, samples, rows }, null, 2)}\n`);
