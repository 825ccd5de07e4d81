// Timing of the int8 linear kernel against the float32 matmul on the MLP's layers (784-128-64-10) at
// batch 256 (not a test): float32 (fused bias + relu) and int8 are timed in alternation, best and
// median of many calls each, so contention from other processes hits both alike; with --cpu the
// times are process CPU time (all threads), steadier than wall time on a shared machine. Run with
// `pnpm --filter @dendrite/core timing:int8` (add --threads=1 for one thread).

import { createWasmAccelerator, type WasmAccelerator } from '../src/backends/cpu/wasm/index.js';
import { randomArray } from './timing-helpers.js';

const BATCH = 256;
const LAYERS: Array<[number, number]> = [[784, 128], [128, 64], [64, 10]];
const ROUNDS = 40;
const CALLS_PER_ROUND = 5;

interface Prepared { float: () => void; int8: () => void }

function prepareLayer(accelerator: WasmAccelerator, k: number, n: number): Prepared {
  const x = randomArray(accelerator, BATCH * k);
  const floatWeights = randomArray(accelerator, k * n);
  const bias = randomArray(accelerator, n);
  const out = accelerator.allocate!(BATCH * n);
  const int8Weights = new Int32Array(n * k).map(() => Math.round(Math.random() * 254) - 127);
  const scales = randomArray(accelerator, n);
  return {
    float: () => accelerator.matmul(x, floatWeights, out, BATCH, n, k, false, false, bias, 'relu'),
    int8: () => {
      if (!accelerator.int8Linear!(x, int8Weights, scales, bias, out, BATCH, n, k, 0, true)) throw new Error('int8Linear declined');
    },
  };
}

const useCpuTime = process.argv.includes('--cpu');

/** Milliseconds per call (wall, or CPU with --cpu) over CALLS_PER_ROUND calls. */
function timeCalls(call: () => void): number {
  const cpuStart = process.cpuUsage();
  const start = performance.now();
  for (let i = 0; i < CALLS_PER_ROUND; i++) call();
  const cpu = process.cpuUsage(cpuStart);
  return (useCpuTime ? (cpu.user + cpu.system) / 1000 : performance.now() - start) / CALLS_PER_ROUND;
}

const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

async function main(): Promise<void> {
  const threadArgument = process.argv.find((argument) => argument.startsWith('--threads='));
  const threadCounts = threadArgument ? [Number(threadArgument.slice(10))] : [1, 2];
  for (const threads of threadCounts) {
    const accelerator = await createWasmAccelerator({ threads });
    const layers = LAYERS.map(([k, n]) => prepareLayer(accelerator, k, n));
    const workloads: Array<[string, Prepared]> = [
      ...LAYERS.map(([k, n], index): [string, Prepared] => [`${BATCH}x${k} @ ${k}x${n}`, layers[index]]),
      ['whole MLP', { float: () => layers.forEach((layer) => layer.float()), int8: () => layers.forEach((layer) => layer.int8()) }],
    ];
    const rows = [];
    for (const [name, { float, int8 }] of workloads) {
      float();
      int8();
      const floatTimes: number[] = [];
      const int8Times: number[] = [];
      for (let round = 0; round < ROUNDS; round++) {
        floatTimes.push(timeCalls(float));
        int8Times.push(timeCalls(int8));
      }
      const floatBest = Math.min(...floatTimes);
      const int8Best = Math.min(...int8Times);
      rows.push({
        threads, workload: name, 'float32 min ms': floatBest.toFixed(3), 'int8 min ms': int8Best.toFixed(3), 'speed-up (min)': (floatBest / int8Best).toFixed(2),
        'float32 median ms': median(floatTimes).toFixed(3), 'int8 median ms': median(int8Times).toFixed(3), 'speed-up (median)': (median(floatTimes) / median(int8Times)).toFixed(2),
      });
    }
    accelerator.dispose();
    console.log(`${useCpuTime ? 'CPU' : 'wall'} time, ${ROUNDS} alternating rounds of ${CALLS_PER_ROUND} calls (Node ${process.versions.node})`);
    console.table(rows);
  }
}

main().then(() => process.exit(0), (error: unknown) => {
  console.error(error);
  process.exit(1);
});
