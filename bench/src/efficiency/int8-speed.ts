// pnpm --filter @dendrite/bench int8-speed [--rounds=N] [--cnn] [--cnn-rounds=N] [--threads=N]: the
// bench's float32 and int8 inference at batch 256 (the rows 'mlp inference 256' and 'mlp inference
// 256 (int8)', and with --cnn the CNN's), timed in alternation so that contention from other
// processes hits both alike. Each round times a few predictions of each; the report gives min and
// median per batch of wall time and of process CPU time (all threads), and the speed-ups.
// --threads=N runs the CPU backend on N threads (default: the backend's own choice, 2 here).
// Not a test: speed goes here.

import { loadavg } from 'node:os';
import { ready, registerBackend, setBackend } from '@dendrite/core';
import { createDefaultCpuBackend } from '@dendrite/core/backend';
import { loadFashionMnist, PIXELS_PER_IMAGE } from '../fashion-mnist.js';
import type { Classifier } from '../implementation.js';
import { createDendriteImplementation } from '../implementations/dendrite.js';
import { cnnParameters, mlpParameters } from '../parameters.js';
import { WEIGHT_SEED } from '../workloads.js';

const BATCH = 256;
const CALLS_PER_ROUND = 4;
type Predictor = Pick<Classifier, 'predict' | 'dispose'>;

/** Milliseconds of wall time and of process CPU time per call, over CALLS_PER_ROUND calls. */
async function timeRound(model: Predictor, images: Float32Array): Promise<{ wall: number; cpu: number }> {
  const cpuStart = process.cpuUsage();
  const start = performance.now();
  for (let call = 0; call < CALLS_PER_ROUND; call++) await model.predict(images, BATCH);
  const wall = (performance.now() - start) / CALLS_PER_ROUND;
  const cpuUsed = process.cpuUsage(cpuStart);
  return { wall, cpu: (cpuUsed.user + cpuUsed.system) / 1000 / CALLS_PER_ROUND };
}

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
};

async function compare(name: string, float: Predictor, int8: Predictor, images: Float32Array, rounds: number): Promise<Record<string, string | number>> {
  for (let call = 0; call < 5; call++) {
    await float.predict(images, BATCH);
    await int8.predict(images, BATCH);
  }
  const times = { float: { wall: [] as number[], cpu: [] as number[] }, int8: { wall: [] as number[], cpu: [] as number[] } };
  for (let round = 0; round < rounds; round++) {
    // Alternate which goes first, so neither always follows the other's cache state.
    const order: Array<'float' | 'int8'> = round % 2 === 0 ? ['float', 'int8'] : ['int8', 'float'];
    for (const which of order) {
      const { wall, cpu } = await timeRound(which === 'float' ? float : int8, images);
      times[which].wall.push(wall);
      times[which].cpu.push(cpu);
    }
  }
  const ms = (value: number): string => value.toFixed(3);
  const floatMin = Math.min(...times.float.wall);
  const int8Min = Math.min(...times.int8.wall);
  return {
    model: name,
    'float32 ms (min / median)': `${ms(floatMin)} / ${ms(median(times.float.wall))}`,
    'int8 ms (min / median)': `${ms(int8Min)} / ${ms(median(times.int8.wall))}`,
    'speed-up min': (floatMin / int8Min).toFixed(2),
    'speed-up median': (median(times.float.wall) / median(times.int8.wall)).toFixed(2),
    'float32 cpu ms (min / median)': `${ms(Math.min(...times.float.cpu))} / ${ms(median(times.float.cpu))}`,
    'int8 cpu ms (min / median)': `${ms(Math.min(...times.int8.cpu))} / ${ms(median(times.int8.cpu))}`,
    'cpu speed-up min / median': `${(Math.min(...times.float.cpu) / Math.min(...times.int8.cpu)).toFixed(2)} / ${(median(times.float.cpu) / median(times.int8.cpu)).toFixed(2)}`,
    'images/s float32 / int8 (min)': `${Math.round(BATCH / floatMin * 1000)} / ${Math.round(BATCH / int8Min * 1000)}`,
  };
}

function numberArgument(name: string): number | undefined {
  const argument = process.argv.find((candidate) => candidate.startsWith(`--${name}=`));
  return argument === undefined ? undefined : Number(argument.slice(name.length + 3));
}
const rounds = numberArgument('rounds') ?? 100;
const threads = numberArgument('threads');
if (threads !== undefined) {
  registerBackend('cpu-int8-speed', () => createDefaultCpuBackend({ threads }), 10);
  await setBackend('cpu-int8-speed');
}
await ready();
const data = await loadFashionMnist();
const images = data.testImages.subarray(0, BATCH * PIXELS_PER_IMAGE);
const implementation = await createDendriteImplementation();
console.error(implementation.describe());
const rows = [];
const floatMlp = implementation.mlp(mlpParameters(WEIGHT_SEED), 1e-3);
const int8Mlp = await implementation.int8Mlp!(mlpParameters(WEIGHT_SEED));
rows.push(await compare('mlp 784-128-64-10', floatMlp, int8Mlp, images, rounds));
floatMlp.dispose();
int8Mlp.dispose();
if (process.argv.includes('--cnn') && implementation.int8Cnn) {
  const floatCnn = implementation.cnn(cnnParameters(WEIGHT_SEED), 1e-3) as Classifier;
  const int8Cnn = await implementation.int8Cnn(cnnParameters(WEIGHT_SEED));
  rows.push(await compare('cnn', floatCnn, int8Cnn, images, numberArgument('cnn-rounds') ?? Math.max(4, Math.round(rounds / 10))));
  floatCnn.dispose();
  int8Cnn.dispose();
}
console.log(`batch ${BATCH}, ${rounds} alternating rounds of ${CALLS_PER_ROUND} calls each, load average ${loadavg().map((load) => load.toFixed(1)).join(' ')} (Node ${process.versions.node})`);
console.table(rows);
process.exit(0);
