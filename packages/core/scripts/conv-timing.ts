// Timing of the convolution kernels (not a test): the direct WebAssembly kernels against im2col +
// the blocked matmul (the path the CPU backend takes when the accelerator declines), forward and
// both gradients, for the issue-3 CNN's layers and some wider ones. Best of several runs, in ms
// and GFLOP/s. Run with `npx tsx scripts/conv-timing.ts [--threads 1]`.

import type { Conv2DInfo, TensorInfo } from '../src/backend/backend.js';
import { createCpuBackend, type CpuBackend } from '../src/backends/cpu/cpu-backend.js';
import type { CpuAccelerator } from '../src/backends/cpu/accelerator.js';
import { createWasmAccelerator } from '../src/backends/cpu/wasm/index.js';

/** [label, batch, size, inChannels, outChannels, filter size] with 'same' padding and stride 1. */
const SHAPES: Array<[string, number, number, number, number, number]> = [
  ['CNN conv1', 64, 28, 1, 8, 5],
  ['CNN conv2', 64, 14, 8, 16, 5],
  ['3x3 32->64', 32, 28, 32, 64, 3],
  ['3x3 64->128', 32, 14, 64, 128, 3],
  ['3x3 16->32 at 56', 16, 56, 16, 32, 3],
  ['3x3 128->8', 32, 14, 128, 8, 3],
  ['5x5 3->32', 64, 28, 3, 32, 5],
];

function argument(name: string, fallback: number): number {
  const index = process.argv.indexOf(`--${name}`);
  return index >= 0 ? Number(process.argv[index + 1]) : fallback;
}

function bestMilliseconds(run: () => void, repeats = 10): number {
  run();
  let best = Infinity;
  for (let repeat = 0; repeat < repeats; repeat++) {
    const start = performance.now();
    run();
    best = Math.min(best, performance.now() - start);
  }
  return best;
}

function upload(backend: CpuBackend, shape: number[]): TensorInfo {
  const values = new Float32Array(shape.reduce((a, b) => a * b));
  for (let i = 0; i < values.length; i++) values[i] = Math.random() - 0.5;
  return { dataId: backend.upload(values, shape, 'float32'), shape, dtype: 'float32' };
}

async function main(): Promise<void> {
  const accelerator = await createWasmAccelerator({ threads: argument('threads', 1) });
  // The same accelerator without its convolution methods: matmul and elementwise only, as before them.
  const withoutDirect: CpuAccelerator = {
    implementation: accelerator.implementation, threads: accelerator.threads, notes: accelerator.notes,
    allocate: accelerator.allocate, free: accelerator.free,
    matmul: (...args) => accelerator.matmul(...args),
  };
  console.log(`threads ${accelerator.threads}; ms (GFLOP/s), direct | im2col`);
  for (const [label, batch, size, inChannels, outChannels, filter] of SHAPES) {
    const pad = (filter - 1) / 2;
    const info: Conv2DInfo = {
      batch, inHeight: size, inWidth: size, inChannels, outHeight: size, outWidth: size, outChannels,
      filterHeight: filter, filterWidth: filter, strideHeight: 1, strideWidth: 1, dilationHeight: 1, dilationWidth: 1,
      padTop: pad, padLeft: pad,
    };
    const flops = 2 * batch * size * size * filter * filter * inChannels * outChannels;
    const cells: string[] = [];
    for (const candidate of [accelerator, withoutDirect]) {
      const backend = createCpuBackend({ accelerator: candidate });
      const x = upload(backend, [batch, size, size, inChannels]);
      const weights = upload(backend, [filter, filter, inChannels, outChannels]);
      const dy = upload(backend, [batch, size, size, outChannels]);
      const timings = [
        bestMilliseconds(() => backend.dispose(backend.conv2d(x, weights, info))),
        bestMilliseconds(() => backend.dispose(backend.conv2dBackpropInput(dy, weights, info))),
        bestMilliseconds(() => backend.dispose(backend.conv2dBackpropFilter(x, dy, info))),
      ];
      cells.push(timings.map((ms, index) =>
        `${['forward', 'input grad', 'filter grad'][index]} ${ms.toFixed(2)} (${(flops / ms / 1e6).toFixed(0)})`).join(', '));
    }
    console.log(`${label.padEnd(18)} ${cells.join(' | ')}`);
  }
  accelerator.dispose();
}

main().then(() => process.exit(0), (error: unknown) => {
  console.error(error);
  process.exit(1);
});
