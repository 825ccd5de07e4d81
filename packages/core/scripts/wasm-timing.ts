// Timing of the WebAssembly SIMD kernels (not a test): GFLOP/s of matmul for square sizes and the
// MLP/conv shapes, every transpose combination, on one thread and on all threads, plus elementwise
// throughput. Run with `pnpm --filter @dendrite/core timing:wasm` (add --json for machine output).

import { availableParallelism } from 'node:os';
import { createWasmAccelerator, type WasmAccelerator } from '../src/backends/cpu/wasm/index.js';
import { bestTime, randomArray } from './timing-helpers.js';

const ALL_TRANSPOSES: Array<[boolean, boolean]> = [[false, false], [true, false], [false, true], [true, true]];
/** [label, m, n, k, transposes]: out is [m, n], the depth is k. */
const SHAPES: Array<[string, number, number, number, Array<[boolean, boolean]>]> = [
  ['256', 256, 256, 256, ALL_TRANSPOSES],
  ['512', 512, 512, 512, ALL_TRANSPOSES],
  ['1024', 1024, 1024, 1024, ALL_TRANSPOSES],
  ['m128 k784 n128 (MLP layer 1)', 128, 128, 784, ALL_TRANSPOSES],
  ['m128 k128 n64 (MLP layer 2)', 128, 64, 128, ALL_TRANSPOSES],
  ['m784 k128 n128 (MLP dW1)', 784, 128, 128, ALL_TRANSPOSES],
  // im2col products of a 28x28 CNN at batch 128 (3x3 kernels, 32 then 64 channels).
  ['m86528 k9 n32 (conv1 forward)', 86528, 32, 9, [[false, false]]],
  ['m15488 k288 n64 (conv2 forward)', 15488, 64, 288, [[false, false]]],
  ['m288 k15488 n64 (conv2 filter grad)', 288, 64, 15488, [[true, false]]],
  ['m15488 k64 n288 (conv2 input grad)', 15488, 288, 64, [[false, true]]],
];

/** Best-of timing in milliseconds, repeating until ~0.3 s has been spent per measurement. */
const time = (run: () => void): number => bestTime(run, 300, 5, 200);

/**
 * The matmuls of one training step of a 784-128-64-10 MLP at batch 128 (forward with fused bias +
 * relu, then the weight and input gradients), with a little JS work between calls as autograd
 * would do, so a worker that went to sleep between calls shows up in the time.
 */
function timeMlpStep(accelerator: WasmAccelerator): number {
  const batch = 128;
  const sizes = [784, 128, 64, 10];
  const weights = sizes.slice(1).map((size, layer) => randomArray(accelerator, sizes[layer] * size));
  const biases = sizes.slice(1).map((size) => randomArray(accelerator, size));
  const activations = sizes.map((size) => randomArray(accelerator, batch * size));
  const gradients = sizes.map((size) => randomArray(accelerator, batch * size));
  const weightGradients = sizes.slice(1).map((size, layer) => accelerator.allocate!(sizes[layer] * size));
  const busyWork = (): void => {
    const until = performance.now() + 0.01;
    while (performance.now() < until);
  };
  const step = (): void => {
    for (let layer = 0; layer < 3; layer++) {
      accelerator.matmul(activations[layer], weights[layer], activations[layer + 1], batch, sizes[layer + 1], sizes[layer],
        false, false, biases[layer], layer < 2 ? 'relu' : 'linear');
      busyWork();
    }
    for (let layer = 2; layer >= 0; layer--) {
      // dW = Xᵀ @ dY and dX = dY @ Wᵀ.
      accelerator.matmul(activations[layer], gradients[layer + 1], weightGradients[layer], sizes[layer], sizes[layer + 1], batch,
        true, false, null, 'linear');
      busyWork();
      if (layer > 0) {
        accelerator.matmul(gradients[layer + 1], weights[layer], gradients[layer], batch, sizes[layer], sizes[layer + 1],
          false, true, null, 'linear');
        busyWork();
      }
    }
  };
  const milliseconds = time(step);
  for (const array of [...weights, ...biases, ...activations, ...gradients, ...weightGradients]) accelerator.free!(array);
  return milliseconds;
}

async function main(): Promise<void> {
  const json = process.argv.includes('--json');
  const threadCounts = [...new Set([1, Math.min(8, availableParallelism())])];
  const results: Record<string, Record<string, number>> = {};
  for (const threads of threadCounts) {
    const accelerator = await createWasmAccelerator({ threads });
    const column = `${accelerator.threads} thread${accelerator.threads > 1 ? 's' : ''}`;
    for (const [label, m, n, k, transposes] of SHAPES) {
      const a = randomArray(accelerator, m * k);
      const b = randomArray(accelerator, k * n);
      const out = accelerator.allocate!(m * n);
      for (const [transposeA, transposeB] of transposes) {
        const name = `matmul ${label} ${transposeA ? 'Aᵀ' : 'A'}@${transposeB ? 'Bᵀ' : 'B'}`;
        const milliseconds = time(() => accelerator.matmul(a, b, out, m, n, k, transposeA, transposeB, null, 'linear'));
        (results[name] ??= {})[column] = (2 * m * n * k) / milliseconds / 1e6;
      }
      for (const array of [a, b, out]) accelerator.free!(array);
    }
    (results['MLP 784-128-64-10 batch 128: matmuls of one step, incl. 8 x 10 µs JS gaps (µs)'] ??= {})[column] = timeMlpStep(accelerator) * 1000;
    const length = 1 << 20;
    const x = randomArray(accelerator, length);
    const y = randomArray(accelerator, length);
    const out = accelerator.allocate!(length);
    for (const op of ['relu', 'exp', 'sigmoid', 'tanh'] as const) {
      const milliseconds = time(() => accelerator.unary!(op, x, out));
      (results[`unary ${op} 1M (Melem/s)`] ??= {})[column] = length / milliseconds / 1e3;
    }
    for (const op of ['add', 'mul'] as const) {
      const milliseconds = time(() => accelerator.binary!(op, x, y, out));
      (results[`binary ${op} 1M (Melem/s)`] ??= {})[column] = length / milliseconds / 1e3;
    }
    const milliseconds = time(() => accelerator.sumLastAxis!(x, out, 1024, 1024));
    (results['sumLastAxis 1024x1024 (Melem/s)'] ??= {})[column] = length / milliseconds / 1e3;
    accelerator.dispose();
  }
  if (json) {
    console.log(JSON.stringify(results, null, 2));
    return;
  }
  console.log('GFLOP/s for matmul, million elements/s for the rest');
  console.table(Object.fromEntries(Object.entries(results).map(([name, row]) =>
    [name, Object.fromEntries(Object.entries(row).map(([column, value]) => [column, Number(value.toFixed(1))]))])));
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
