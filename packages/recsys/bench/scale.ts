// `pnpm --filter @dendrite/recsys bench:scale -- --interactions 1000000 --model als|neumf [--epochs N]
// [--steps S] [--updates dense|lazy]`: time and memory of one ALS iteration (64 factors, the CSR solver) or
// one NeuMF epoch (4 negatives, batch 256, Adam 1e-3 with dense or lazy embedding updates) on a seeded
// power-law interaction set of the given size, shaped like MovieLens at that size (1M: ML-1M's 6,040 ×
// 3,706; 20M: ML-20M's 138,493 × 26,744; between: interpolated). With --steps, NeuMF runs only S steps of
// the epoch: the row gives the epoch's setup (drawing the negatives, shuffling) and the per-step time as
// measured (after up to 20 warm-up steps), and the epoch time extrapolated from them (setup + steps per epoch × per-step), marked
// `extrapolated`. One size and model per process, so the process's peak resident memory (maxRSS) is that
// run's; the row is merged into bench/results/scale.json.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ready } from '@dendrite/core';
import { SeededRandom } from '@dendrite/datasets';
import { Adam } from '@dendrite/optimizers';
import { writeFileAtomically } from '@dendrite/datasets/node';
import { ImplicitAls, NeuralCf, NeuralCfNetwork, NeuralCfTrainer, SampledPairs, generatePowerLawInteractions, paperInitialValues, type SampledPairsBatch } from '../src/index.js';

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
const steps = process.argv.includes('--steps') ? Number(argument('steps', '')) : null;
if (steps !== null && (!Number.isInteger(steps) || steps < 1 || model !== 'neumf')) throw new Error('--steps must be a positive integer, and only with --model neumf');
const updates = argument('updates', 'dense');
if (updates !== 'dense' && updates !== 'lazy') throw new Error(`--updates must be dense or lazy, got ${updates}`);
const rowModel = model === 'neumf' && updates === 'lazy' ? 'neumf-lazy' : model;

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
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor((values.length - 1) / 2)];
const cpuNow = () => {
  const used = process.cpuUsage();
  return (used.user + used.system) / 1e6;
};
let row: Record<string, unknown> & { model: string; interactions: number };
if (steps === null) {
  const recommender = model === 'als'
    ? new ImplicitAls({ factors: 64, alpha: 5, regularization: 0.1, solver: 'sparse' })
    : new NeuralCf({ architecture: 'neumf', factors: 16, mlpLayers: [64, 32, 16, 8], batchSize: 256, negatives: 4, embeddingUpdates: updates });
  const history = await recommender.fit(matrix, { epochs, onEpoch });
  const seconds = history.epochs.map((log) => log.seconds);
  recommender.dispose();
  row = {
    model: rowModel, interactions: matrix.size, users, items, epochs: seconds.length, secondsPerEpoch: median(seconds), cpuSecondsPerEpoch: median(cpuSeconds), seconds, cpuSeconds,
    generateSeconds, dataMegabytes: (afterData.arrayBuffers) / 2 ** 20,
    peakRssMegabytes: process.resourceUsage().maxRSS / 1024, date: new Date().toISOString(),
  };
} else {
  // The pieces NeuralCf.fit uses, run for `steps` steps of the first epoch.
  const network = new NeuralCfNetwork({ architecture: 'neumf', userCount: matrix.userCount, itemCount: matrix.itemCount, factors: 16, mlpLayers: [64, 32, 16, 8] }, paperInitialValues(new SeededRandom(1)));
  const tables = new Set(['gmf.user', 'gmf.item', 'mlp.user', 'mlp.item']);
  const lazy = updates === 'lazy';
  const optimizer = new Adam(lazy ? network.namedWeights().filter(([name]) => !tables.has(name)).map(([, weight]) => weight) : network.parameters(), { learningRate: 0.001 });
  const trainer = new NeuralCfTrainer(network, optimizer, { lazyEmbeddings: lazy && { learningRate: 0.001 } });
  const source = new SampledPairs(matrix.byUser, { itemCount: matrix.itemCount, negatives: 4, batchSize: 256, seed: 1 });
  const marks = { setupWall: 0, setupCpu: 0, stepsWall: 0, stepsCpu: 0 };
  const warmup = Math.min(20, Math.floor(steps / 4));
  // Times the epoch's setup (the first batch: negatives drawn, rows shuffled) apart from the steps.
  const timed: Iterable<SampledPairsBatch> = {
    *[Symbol.iterator]() {
      const [wall, cpu] = [performance.now(), cpuNow()];
      const batches = source[Symbol.iterator]();
      let next = batches.next();
      [marks.setupWall, marks.setupCpu] = [(performance.now() - wall) / 1000, cpuNow() - cpu];
      // The first steps warm the JIT up: timed from the end of step `warmup` on.
      for (let step = 0; !next.done; step++) {
        if (step === warmup) [marks.stepsWall, marks.stepsCpu] = [performance.now(), cpuNow()];
        yield next.value;
        next = batches.next();
      }
    },
  };
  await trainer.fit(timed, { epochs: 1, stepsPerEpoch: steps, logEvery: steps });
  const stepSeconds = (performance.now() - marks.stepsWall) / 1000 / (steps - warmup);
  const stepCpuSeconds = (cpuNow() - marks.stepsCpu) / (steps - warmup);
  trainer.dispose();
  optimizer.dispose();
  network.dispose();
  row = {
    model: rowModel, interactions: matrix.size, users, items, extrapolated: true, measuredSteps: steps - warmup, warmupSteps: warmup, stepsPerEpoch: source.stepsPerEpoch,
    setupSeconds: marks.setupWall, setupCpuSeconds: marks.setupCpu, secondsPerStep: stepSeconds, cpuSecondsPerStep: stepCpuSeconds,
    secondsPerEpoch: marks.setupWall + source.stepsPerEpoch * stepSeconds, cpuSecondsPerEpoch: marks.setupCpu + source.stepsPerEpoch * stepCpuSeconds,
    generateSeconds, dataMegabytes: (afterData.arrayBuffers) / 2 ** 20,
    peakRssMegabytes: process.resourceUsage().maxRSS / 1024, date: new Date().toISOString(),
  };
}
process.stdout.write(`${JSON.stringify(row)}\n`);
const resultsPath = join(here, 'results', 'scale.json');
const previous: Array<typeof row> = existsSync(resultsPath) ? JSON.parse(readFileSync(resultsPath, 'utf8')).rows : [];
const rows = [...previous.filter((old) => !(old.model === row.model && old.interactions === row.interactions)), row]
  .sort((a, b) => a.model.localeCompare(b.model) || a.interactions - b.interactions);
await writeFileAtomically(resultsPath, new TextEncoder().encode(`${JSON.stringify({ rows }, null, 2)}\n`));
