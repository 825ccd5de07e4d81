// Timing of the two kernel builds side by side (not a test): GFLOP/s of square matmuls and of the
// forward convolution of the CNN's second layer, SIMD128 (multiply, then add) against relaxed SIMD
// (f32x4.relaxed_madd), on one thread and on two. The builds are timed in alternation, best of
// several rounds each, so contention from other processes hits both alike. Run with
// `pnpm --filter @dendrite/core timing:relaxed` (add --json for machine output). On Node 20 the
// script restarts itself with --experimental-wasm-relaxed-simd.

import { spawnSync } from 'node:child_process';
import { convInfoOf } from '../src/backends/cpu/conv-test-helpers.js';
import { createWasmAccelerator, hostSupportsRelaxedSimd, type WasmAccelerator, type WasmInstructionSet } from '../src/backends/cpu/wasm/index.js';
import { bestTime, randomArray } from './timing-helpers.js';

const RELAXED_FLAG = '--experimental-wasm-relaxed-simd';
const BUILDS: WasmInstructionSet[] = ['simd128', 'relaxed-simd'];
const ROUNDS = 5;

if (!hostSupportsRelaxedSimd()) {
  if (process.execArgv.includes(RELAXED_FLAG)) throw new Error('this Node has no relaxed SIMD, even with --experimental-wasm-relaxed-simd');
  const child = spawnSync(process.execPath, [RELAXED_FLAG, ...process.execArgv, ...process.argv.slice(1)], { stdio: 'inherit' });
  process.exit(child.status ?? 1);
}

/** Best time in milliseconds of `run` over ~0.2 s (at least 3 calls), after one warm-up call. */
const timeBest = (run: () => void): number => bestTime(run, 200, 3, 100);

/** A workload: its FLOPs, and a function that prepares it on an accelerator and returns the call to time. */
interface Workload {
  name: string;
  flops: number;
  prepare(accelerator: WasmAccelerator): () => void;
}

const matmulWorkload = (size: number): Workload => ({
  name: `matmul ${size}`,
  flops: 2 * size ** 3,
  prepare(accelerator) {
    const a = randomArray(accelerator, size * size);
    const b = randomArray(accelerator, size * size);
    const out = accelerator.allocate!(size * size);
    return () => accelerator.matmul(a, b, out, size, size, size, false, false, null, 'linear');
  },
});

// The CNN's second convolution (14x14x8 -> 16 channels, 5x5, same padding) at batch 128.
const convGeometry = {
  batch: 128, height: 14, width: 14, inChannels: 8, outChannels: 16, filterHeight: 5, filterWidth: 5,
  stride: [1, 1] as [number, number], dilation: [1, 1] as [number, number], pad: [2, 2, 2, 2] as [number, number, number, number],
};
const convWorkload: Workload = {
  name: 'conv2d 128x14x14x8 -> 16, 5x5',
  flops: 2 * 128 * 14 * 14 * 16 * 5 * 5 * 8,
  prepare(accelerator) {
    const info = convInfoOf(convGeometry);
    const x = randomArray(accelerator, 128 * 14 * 14 * 8);
    const filter = randomArray(accelerator, 5 * 5 * 8 * 16);
    const out = accelerator.allocate!(128 * 14 * 14 * 16);
    return () => {
      if (!accelerator.conv2d!(x, filter, out, info)) throw new Error('the accelerator declined the convolution');
    };
  },
};

async function main(): Promise<void> {
  const json = process.argv.includes('--json');
  const rows: Array<{ workload: string; threads: number } & Record<WasmInstructionSet | 'speed-up', number>> = [];
  for (const threads of [1, 2]) {
    const accelerators = await Promise.all(BUILDS.map((instructionSet) => createWasmAccelerator({ threads, instructionSet })));
    for (const workload of [matmulWorkload(256), matmulWorkload(512), matmulWorkload(1024), convWorkload]) {
      const calls = accelerators.map((accelerator) => workload.prepare(accelerator));
      const best = BUILDS.map(() => Infinity);
      for (let round = 0; round < ROUNDS; round++) {
        calls.forEach((call, index) => {
          best[index] = Math.min(best[index], timeBest(call));
        });
      }
      const [simd128, relaxed] = best.map((milliseconds) => workload.flops / milliseconds / 1e6);
      rows.push({ workload: workload.name, threads, simd128, 'relaxed-simd': relaxed, 'speed-up': relaxed / simd128 });
    }
    for (const accelerator of accelerators) accelerator.dispose();
  }
  if (json) {
    console.log(JSON.stringify(rows, null, 2));
    return;
  }
  console.log(`GFLOP/s, best of ${ROUNDS} alternating rounds per build (Node ${process.versions.node})`);
  console.table(rows.map((row) => Object.fromEntries(Object.entries(row).map(([key, value]) => [key, typeof value === 'number' ? Number(value.toFixed(2)) : value]))));
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
