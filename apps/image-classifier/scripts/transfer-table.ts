// pnpm --filter @dendrite/image-classifier transfer-table [--data DIR] [--labels 10,50,200] [--json FILE]
// The README's table: Fashion-MNIST classes 3, 4, 6, 7, 9 from few labels, fine-tuned from the shipped model vs from scratch.
import { writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { ready } from '@dendrite/core';
import { loadImageData } from '../src/data.js';
import { TRANSFER_TABLE_DEFAULTS, transferTable, transferTableMarkdown } from '../src/transfer-table.js';

const { values } = parseArgs({ options: { data: { type: 'string' }, labels: { type: 'string' }, json: { type: 'string' } } });
await ready();
const labelsPerClass = values.labels === undefined ? TRANSFER_TABLE_DEFAULTS.labelsPerClass : values.labels.split(',').map(Number);
const start = performance.now();
const rows = await transferTable(await loadImageData(values.data), {
  ...TRANSFER_TABLE_DEFAULTS, labelsPerClass,
  onRow: (row) => console.log(`${row.labelsPerClass} per class: head only ${row.headOnly}, fine-tuned ${row.finetuned}, scratch ${row.scratch}`),
});
console.log(`\nbudget ${JSON.stringify(TRANSFER_TABLE_DEFAULTS.budget)}, ${((performance.now() - start) / 1000).toFixed(0)} s\n`);
console.log(transferTableMarkdown(rows));
if (values.json !== undefined) await writeFile(values.json, `${JSON.stringify({ budget: TRANSFER_TABLE_DEFAULTS.budget, rows }, null, 2)}\n`);
