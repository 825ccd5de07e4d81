// pnpm --filter @dendrite/image-classifier transfer-table [--split first-last|confusable|paired] [--data DIR] [--labels 10,50,200] [--samples K]
//     [--head dense|cosine] [--imprint] [--scratch-head dense|cosine] [--multi-scale] [--json FILE]
// The README's tables: a split's new Fashion-MNIST classes (first-last: 5–9; confusable: 0, 2, 3, 4, 6; paired: 3, 4, 6,
// 8, 9) from few labels, fine-tuned from the split's shipped model vs from scratch, each arm's mean and min–max over K seeded
// label samples (the same samples for both arms).
import { writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { ready } from '@dendrite/core';
import { loadImageData } from '../src/data.js';
import { HEAD_KINDS, type HeadKind } from '../src/finetune-core.js';
import { TRANSFER_SPLITS, type TransferSplit } from '../src/pretrained/recipe.js';
import { TRANSFER_TABLE_DEFAULTS, transferTable, transferTableMarkdown } from '../src/transfer-table.js';

const { values } = parseArgs({ options: { data: { type: 'string' }, labels: { type: 'string' }, samples: { type: 'string' }, split: { type: 'string' }, json: { type: 'string' },
  head: { type: 'string' }, imprint: { type: 'boolean' }, 'scratch-head': { type: 'string' }, 'multi-scale': { type: 'boolean' } } });
await ready();
const split = (values.split ?? 'first-last') as TransferSplit;
if (!(split in TRANSFER_SPLITS)) throw new Error(`--split must be one of ${Object.keys(TRANSFER_SPLITS).join(', ')}, got "${split}"`);
for (const [flag, value] of [['--head', values.head], ['--scratch-head', values['scratch-head']]]) {
  if (value !== undefined && !(HEAD_KINDS as readonly string[]).includes(value)) throw new Error(`${flag} must be one of ${HEAD_KINDS.join(', ')}, got "${value}"`);
}
const head = { head: (values.head ?? 'dense') as HeadKind, imprint: values.imprint ?? false, multiScale: values['multi-scale'] ?? false };
const scratchHead = (values['scratch-head'] ?? head.head) as HeadKind;
const labelsPerClass = values.labels === undefined ? TRANSFER_TABLE_DEFAULTS.labelsPerClass : values.labels.split(',').map(Number);
const samples = values.samples === undefined ? TRANSFER_TABLE_DEFAULTS.samples : Number(values.samples);
const start = performance.now();
const cpuStart = process.cpuUsage();
const percent = (value: number) => `${(value * 100).toFixed(1)}%`;
const rows = await transferTable(await loadImageData(values.data), {
  ...TRANSFER_TABLE_DEFAULTS, labelsPerClass, samples, split, head, scratchHead,
  onSample: (labels, seed, { headOnly, finetuned, scratch }) =>
    console.log(`${labels} per class, seed ${seed}: head only ${percent(headOnly)}, fine-tuned ${percent(finetuned)}, scratch ${percent(scratch)}`),
});
const cpu = process.cpuUsage(cpuStart);
console.log(`\nsplit ${split}: classes ${TRANSFER_SPLITS[split].newClasses.join(', ')}, fine-tuned head ${JSON.stringify(head)}, scratch head ${scratchHead}, budget ${JSON.stringify(TRANSFER_TABLE_DEFAULTS.budget)}, ${((performance.now() - start) / 1000).toFixed(0)} s wall, ${((cpu.user + cpu.system) / 1e6).toFixed(0)} s CPU\n`);
console.log(transferTableMarkdown(rows));
if (values.json !== undefined) await writeFile(values.json, `${JSON.stringify({ split, classes: TRANSFER_SPLITS[split].newClasses, head, scratchHead, budget: TRANSFER_TABLE_DEFAULTS.budget, samples, rows }, null, 2)}\n`);
