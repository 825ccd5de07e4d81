// `pnpm --filter @dendrite/recsys bench:scale -- --interactions 1000000 --model als|neumf [--epochs N]`:
// time and memory of one ALS iteration (64 factors, the CSR solver) or one NeuMF epoch (4 negatives,
// batch 256) on a seeded power-law interaction set of the given size, shaped like MovieLens at that size
// (1M: ML-1M's 6,040 × 3,706; 20M: ML-20M's 138,493 × 26,744; between: interpolated). One size and model
// per process, so the process's peak resident memory (maxRSS) is that run's; the row is merged into
// bench/results/scale.json.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ready } from '@dendrite/core';
import { writeFileAtomically } from '@dendrite/datasets/node';
import { ImplicitAls, NeuralCf, generatePowerLawInteractions } from '../src/index.js';

const here = dirname(fileURLToPath(import.meta.url));
const argument = (flag: string, fallback: string) => {
  const position = process.argv.indexOf(`--${flag}`);
  return position >= 0 ? process.argv[position + 1] : fallback;
};
const interactions = Number(argument('interactions', '1000000'));
const model = argument('model', 'als');
const epochs = Number(argument('epochs', model === 'als' ? '3' : '1'));
if (!Number.isInteger(interactions) || interactions < 1000) throw new Error(`--interactions must be an integer >= 1000, got ${argument('interactions', '')}`);
if (model !== 'als' && model !== 'neumf') throw new Error(`--model must be als or neumf, got ${model}`);

// MovieLens' shapes: users grow linearly with the interactions, the catalogue more slowly.
const fraction = interactions / 20_000_000;
const users = Math.max(100, Math.round(138_493 * fraction));
const items = Math.max(100, Math.round(26_744 * Math.sqrt(fraction)));

await ready();
const generated = performance.now();
const matrix = generatePowerLawInteractions({ users, items, interactions, seed: 1 });
const generateSeconds = (performance.now() - generated) / 1000;
const afterData = process.memoryUsage();
// CPU seconds per epoch beside the wall time: on a shared machine the wall time mostly measures the
// other jobs, the process's CPU time (all its threads) much less so.
const cpuSeconds: number[] = [];
let cpuMark = process.cpuUsage();
const onEpoch = () => {
  const used = process.cpuUsage(cpuMark);
  cpuSeconds.push((used.user + used.system) / 1e6);
  cpuMark = process.cpuUsage();
};
const recommender = model === 'als'
  ? new ImplicitAls({ factors: 64, alpha: 5, regularization: 0.1, solver: 'sparse' })
  : new NeuralCf({ architecture: 'neumf', factors: 16, mlpLayers: [64, 32, 16, 8], batchSize: 256, negatives: 4 });
const history = await recommender.fit(matrix, { epochs, onEpoch });
const seconds = history.epochs.map((log) => log.seconds);
recommender.dispose();
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor((values.length - 1) / 2)];
const perEpoch = median(seconds);
const row = {
  model, interactions: matrix.size, users, items, epochs: seconds.length, secondsPerEpoch: perEpoch, cpuSecondsPerEpoch: median(cpuSeconds), seconds, cpuSeconds,
  generateSeconds, dataMegabytes: (afterData.arrayBuffers) / 2 ** 20,
  peakRssMegabytes: process.resourceUsage().maxRSS / 1024, date: new Date().toISOString(),
};
process.stdout.write(`${JSON.stringify(row)}\n`);
const resultsPath = join(here, 'results', 'scale.json');
const previous: Array<typeof row> = existsSync(resultsPath) ? JSON.parse(readFileSync(resultsPath, 'utf8')).rows : [];
const rows = [...previous.filter((old) => !(old.model === model && old.interactions === row.interactions)), row]
  .sort((a, b) => a.model.localeCompare(b.model) || a.interactions - b.interactions);
await writeFileAtomically(resultsPath, new TextEncoder().encode(`${JSON.stringify({ rows }, null, 2)}\n`));
