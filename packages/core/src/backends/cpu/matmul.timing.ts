/**
 * Quick timings of the TypeScript CPU kernels (not a test, not a benchmark suite):
 *
 *   npx tsx packages/core/src/backends/cpu/matmul.timing.ts          # TypeScript kernels
 *   npx tsx packages/core/src/backends/cpu/matmul.timing.ts --wasm   # with the WebAssembly accelerator
 *
 * Reports matmul GFLOP/s at 256/512/1024 and conv2d (forward and both gradients) on a
 * 64x28x28x8 batch with a 3x3x8x16 filter, plus a few elementwise and reduction ops.
 */
import type { Conv2DInfo, TensorInfo } from '../../backend/backend.js';
import { createCpuBackend } from './cpu-backend.js';

const backend = createCpuBackend();
if (process.argv.includes('--wasm')) {
  const { createWasmAccelerator } = await import('./wasm/index.js');
  backend.setAccelerator(await createWasmAccelerator());
}
console.log(`cpu backend: ${JSON.stringify(backend.info())}`);

function randomTensor(shape: number[]): TensorInfo {
  const size = shape.reduce((a, b) => a * b, 1);
  const values = new Float32Array(size);
  for (let i = 0; i < size; i++) values[i] = Math.random() - 0.5;
  return { dataId: backend.upload(values, shape, 'float32'), shape, dtype: 'float32' };
}

/** Median milliseconds of `run` over enough repetitions to fill about `budgetMs`. */
function time(run: () => object, budgetMs = 1500): number {
  backend.dispose(run()); // warm-up (JIT)
  const samples: number[] = [];
  const start = performance.now();
  while (samples.length < 3 || (performance.now() - start < budgetMs && samples.length < 50)) {
    const begin = performance.now();
    const result = run();
    samples.push(performance.now() - begin);
    backend.dispose(result);
  }
  samples.sort((a, b) => a - b);
  return samples[Math.floor(samples.length / 2)];
}

for (const size of [256, 512, 1024]) {
  const a = randomTensor([size, size]);
  const b = randomTensor([size, size]);
  for (const [transposeA, transposeB] of [[false, false], [false, true], [true, false]] as const) {
    const ms = time(() => backend.matmul(a, b, transposeA, transposeB, [size, size]));
    const gflops = (2 * size ** 3) / (ms * 1e6);
    console.log(`matmul ${size}x${size}x${size} tA=${transposeA} tB=${transposeB}: ${ms.toFixed(2)} ms, ${gflops.toFixed(2)} GFLOP/s`);
  }
}

// Shapes of a dense layer's forward and backward passes (batch 32, 784 -> 128), and a vector.
for (const [label, aShape, bShape, transposeA, transposeB, outShape] of [
  ['dense forward 32x784 @ 784x128', [32, 784], [784, 128], false, false, [32, 128]],
  ['dense dW 784x32 @ 32x128 (tA)', [32, 784], [32, 128], true, false, [784, 128]],
  ['dense dX 32x128 @ 128x784 (tB)', [32, 128], [784, 128], false, true, [32, 784]],
  ['vector 1x1024 @ 1024x1024', [1, 1024], [1024, 1024], false, false, [1, 1024]],
] as const) {
  const a = randomTensor([...aShape]);
  const b = randomTensor([...bShape]);
  const ms = time(() => backend.matmul(a, b, transposeA, transposeB, outShape));
  const k = transposeA ? aShape[0] : aShape[1];
  const gflops = (2 * outShape[0] * outShape[1] * k) / (ms * 1e6);
  console.log(`matmul ${label}: ${ms.toFixed(3)} ms, ${gflops.toFixed(2)} GFLOP/s`);
}

const batched = [randomTensor([64, 128, 64]), randomTensor([64, 64, 128])];
const batchedMs = time(() => backend.matmul(batched[0], batched[1], false, false, [64, 128, 128]));
console.log(`matmul batched 64 x (128x64 @ 64x128): ${batchedMs.toFixed(2)} ms, ` +
  `${((2 * 64 * 128 * 64 * 128) / (batchedMs * 1e6)).toFixed(2)} GFLOP/s`);

const info: Conv2DInfo = {
  batch: 64, inHeight: 28, inWidth: 28, inChannels: 8, outHeight: 28, outWidth: 28, outChannels: 16,
  filterHeight: 3, filterWidth: 3, strideHeight: 1, strideWidth: 1, dilationHeight: 1, dilationWidth: 1,
  padTop: 1, padLeft: 1,
};
const x = randomTensor([64, 28, 28, 8]);
const filter = randomTensor([3, 3, 8, 16]);
const dy = randomTensor([64, 28, 28, 16]);
const convFlops = 2 * 64 * 28 * 28 * 16 * 3 * 3 * 8;
for (const [label, run] of [
  ['conv2d', () => backend.conv2d(x, filter, info)],
  ['conv2dBackpropInput', () => backend.conv2dBackpropInput(dy, filter, info)],
  ['conv2dBackpropFilter', () => backend.conv2dBackpropFilter(x, dy, info)],
] as const) {
  const ms = time(run);
  console.log(`${label} 64x28x28x8 * 3x3x8x16 same: ${ms.toFixed(2)} ms, ${(convFlops / (ms * 1e6)).toFixed(2)} GFLOP/s`);
}

const pool = { batch: 64, inHeight: 28, inWidth: 28, channels: 16, outHeight: 14, outWidth: 14,
  filterHeight: 2, filterWidth: 2, strideHeight: 2, strideWidth: 2, padTop: 0, padLeft: 0 };
const pooled = randomTensor([64, 28, 28, 16]);
console.log(`maxPool 64x28x28x16 2x2/2: ${time(() => backend.pool2d(pooled, pool, 'max')).toFixed(2)} ms`);

const big = randomTensor([1024, 1024]);
const row = randomTensor([1024]);
console.log(`add 1M same shape: ${time(() => backend.binary('add', big, big, [1024, 1024], 'float32')).toFixed(2)} ms`);
console.log(`add 1M + [1024] bias: ${time(() => backend.binary('add', big, row, [1024, 1024], 'float32')).toFixed(2)} ms`);
console.log(`exp 1M: ${time(() => backend.unary('exp', big)).toFixed(2)} ms`);
console.log(`sum 1M over last axis: ${time(() => backend.reduce('sum', big, [1])).toFixed(2)} ms`);
console.log(`sum 1M over first axis: ${time(() => backend.reduce('sum', big, [0])).toFixed(2)} ms`);
console.log(`transpose 1M: ${time(() => backend.transpose(big, [1, 0])).toFixed(2)} ms`);
process.exit(0); // the accelerator's worker threads would keep Node alive
