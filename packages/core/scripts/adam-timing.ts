// Timing of the fused Adam update (not a test): the TypeScript reference loop against the wasm kernel
// (assembly/adam.ts) over the MLP's parameters (784x128, 128, 128x64, 64, 64x10, 10), one thread,
// interleaved rounds so contention hits both alike; CPU time of the process per full update.
// Run with `npx tsx scripts/adam-timing.ts`.
import { adamUpdate } from '../src/backends/cpu/kernels/adam-update.js';
import { plainKernelContext, type KernelContext } from '../src/backends/cpu/kernel-context.js';
import { createWasmAccelerator } from '../src/backends/cpu/wasm/index.js';
import { randomArray } from './timing-helpers.js';

const SIZES = [784 * 128, 128, 128 * 64, 64, 64 * 10, 10];
const HYPER = { stepSize: 1e-3, beta1: 0.9, beta2: 0.999, epsilon: 1e-8 };
const ROUNDS = 7;
const UPDATES_PER_ROUND = 200;

const accelerator = await createWasmAccelerator({ threads: 1 });
// Both allocate their outputs in wasm memory, as the backend does; only `accelerator` differs.
const typescript: KernelContext = {
  ...plainKernelContext(),
  allocateFloat32: (length) => accelerator.allocate!(length),
  release: (array) => accelerator.free!(array as Float32Array),
};
const wasm: KernelContext = { ...typescript, accelerator };
const parameters = SIZES.map((size) => [0, 1, 2, 3].map(() => randomArray(accelerator, size)).map((values, index) =>
  ({ values: index === 3 ? values.map(Math.abs) : values, shape: [size], dtype: 'float32' as const })));

/** CPU milliseconds per update of all parameters with `context`. */
function timeUpdates(context: KernelContext): number {
  const start = process.cpuUsage();
  for (let update = 0; update < UPDATES_PER_ROUND; update++) {
    for (const [p, g, m, v] of parameters) {
      for (const output of adamUpdate(context, p, g, m, v, HYPER)) context.release(output);
    }
  }
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1000 / UPDATES_PER_ROUND;
}

const best = { typescript: Infinity, wasm: Infinity };
for (let round = 0; round < ROUNDS; round++) {
  best.typescript = Math.min(best.typescript, timeUpdates(typescript));
  best.wasm = Math.min(best.wasm, timeUpdates(wasm));
}
console.log(`Adam over the MLP's ${SIZES.reduce((a, b) => a + b)} parameters, one thread, best of ${ROUNDS} rounds (CPU ms per update):`);
console.log(`TypeScript ${best.typescript.toFixed(3)}  wasm ${best.wasm.toFixed(3)}  (${(best.typescript / best.wasm).toFixed(2)}x)`);
accelerator.dispose();
