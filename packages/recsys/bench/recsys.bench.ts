// `pnpm --filter @dendrite/recsys bench`: the recommender speed rows of issue 12 (topK, an ALS
// iteration, a NeuMF epoch, top-10 for every user), on ML-100K from the shared data folder, with
// PyTorch's NeuMF epoch beside ours when python3 has torch. Writes bench/results/latest.json.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { getBackendInfo, randomUniform, ready, tidy, topK } from '@dendrite/core';
import { loadMovieLens100kDirectory, writeFileAtomically } from '@dendrite/datasets/node';
import { ImplicitAls, InteractionMatrix, NeuralCf, buildNcfSplit, formatNcfFiles } from '../src/index.js';

const here = dirname(fileURLToPath(import.meta.url));
const dataRoot = process.env.DENDRITE_DATA ?? resolve(here, '../../../../shared/data');
const quick = process.argv.includes('--quick');

interface Row { name: string; value: number; unit: string; target?: string; details?: Record<string, unknown> }
const rows: Row[] = [];
const record = (row: Row) => {
  rows.push(row);
  process.stdout.write(`${row.name.padEnd(44)} ${row.value.toFixed(row.unit === 'ms' ? 2 : 3).padStart(10)} ${row.unit}${row.target ? `  (target ${row.target})` : ''}\n`);
};
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

async function timed(run: () => Promise<void> | void, repeats: number): Promise<number> {
  await run();
  const times: number[] = [];
  for (let repeat = 0; repeat < repeats; repeat++) {
    const started = performance.now();
    await run();
    times.push(performance.now() - started);
  }
  return median(times);
}

await ready();
for (const [rowsCount, items] of [[943, 1682], [6040, 3706]]) {
  const scores = randomUniform([rowsCount, items], 0, 1, 1);
  const milliseconds = await timed(async () => {
    const { values, indices } = tidy(() => topK(scores, 10));
    await Promise.all([values.data(), indices.data()]);
    values.dispose();
    indices.dispose();
  }, quick ? 3 : 10);
  record({ name: `topK [${rowsCount}, ${items}] k=10`, value: milliseconds, unit: 'ms' });
  scores.dispose();
}

const ml = await loadMovieLens100kDirectory(join(dataRoot, 'movielens', 'ml-100k'));
const split = buildNcfSplit(ml.ratings, { itemCount: ml.itemIds.size, seed: 1 });
const matrix = InteractionMatrix.fromRatings({ users: split.train.users, items: split.train.items }, { userIds: ml.userIds, itemIds: ml.itemIds });

const als = new ImplicitAls({ factors: 64, alpha: 5, regularization: 0.1, solver: 'dense' });
const history = await als.fit(matrix, { epochs: quick ? 3 : 6 });
const iterations = history.epochs.slice(1).map((log) => log.seconds);
record({ name: 'ALS iteration ML-100K, 64 factors (incl. loss)', value: median(iterations), unit: 's', target: '≤ 0.3 s' });
const sparseAls = new ImplicitAls({ factors: 64, alpha: 5, regularization: 0.1, solver: 'sparse' });
const sparseHistory = await sparseAls.fit(matrix, { epochs: quick ? 3 : 6 });
record({ name: 'ALS iteration ML-100K, 64 factors, CSR solver', value: median(sparseHistory.epochs.slice(1).map((log) => log.seconds)), unit: 's', target: '≤ 0.3 s' });
sparseAls.dispose();
const allUsers = Array.from(ml.userIds.rawIds);
const recommendMs = await timed(async () => { await als.recommend(allUsers, { count: 10 }); }, quick ? 3 : 10);
record({ name: 'recommend top-10 for all 943 users (ALS)', value: recommendMs, unit: 'ms', target: '≤ 50 ms' });
als.dispose();

// NeuMF epochs with dense Adam (the recipe) and with lazy embedding updates; CPU seconds (all threads)
// beside the wall time, the steadier figure on a shared machine. The second epoch is the one recorded
// (the first also warms the JIT).
for (const embeddingUpdates of ['dense', 'lazy'] as const) {
  const neumf = new NeuralCf({ architecture: 'neumf', factors: 16, mlpLayers: [64, 32, 16, 8], batchSize: 256, negatives: 4, embeddingUpdates });
  const cpu: number[] = [];
  let mark = process.cpuUsage();
  const neumfHistory = await neumf.fit(matrix, {
    epochs: 2,
    onEpoch: () => {
      const used = process.cpuUsage(mark);
      cpu.push((used.user + used.system) / 1e6);
      mark = process.cpuUsage();
    },
  });
  const last = neumfHistory.epochs.at(-1)!;
  const suffix = embeddingUpdates === 'lazy' ? ', lazy embedding updates' : '';
  record({ name: 'NeuMF epoch ML-100K (~495k rows, batch 256)' + suffix, value: last.seconds, unit: 's', target: '≤ 3 s', details: { loss: last.loss, cpuSeconds: cpu.at(-1), embeddingUpdates } });
  neumf.dispose();
}

// PyTorch's NeuMF, same model, batch and rows, when python3 has torch (reference, not a target).
const torchScript = join(here, 'neumf_torch.py');
try {
  const files = formatNcfFiles(split);
  const scratch = mkdtempSync(join(tmpdir(), 'dendrite-recsys-bench-'));
  const trainPath = join(scratch, 'ml-100k.train.rating');
  await writeFileAtomically(trainPath, new TextEncoder().encode(files.train));
  // Debian's python3 (where python3-torch installs), else whatever python3 is first on PATH.
  const python = existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';
  const output = execFileSync(python, [torchScript, trainPath, String(ml.userIds.size), String(ml.itemIds.size)], { encoding: 'utf8', timeout: 600_000 });
  const seconds = Number(JSON.parse(output.trim().split('\n').at(-1)!).seconds);
  rmSync(scratch, { recursive: true, force: true });
  record({ name: 'PyTorch NeuMF epoch ML-100K (same model)', value: seconds, unit: 's', details: { torch: true } });
} catch (error) {
  process.stdout.write(`PyTorch NeuMF epoch: not run (${error instanceof Error ? error.message.split('\n')[0] : String(error)})\n`);
}

const resultsPath = join(here, 'results', quick ? 'latest-quick.json' : 'latest.json');
if (!existsSync(dirname(resultsPath))) throw new Error(`missing ${dirname(resultsPath)}`);
await writeFileAtomically(resultsPath, new TextEncoder().encode(JSON.stringify({ date: new Date().toISOString(), backend: getBackendInfo(), rows }, null, 2) + '\n'));
process.stdout.write(`wrote ${resultsPath}\n`);
