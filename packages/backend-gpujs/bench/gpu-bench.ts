/**
 * Benchmark of the gpu.js backend in Node: resident matmul and conv2d (inputs uploaded once,
 * products left on the device, one read at the end), and one epoch of MLP training on
 * Fashion-MNIST (784-128-64-10, batch 128, Adam) through core's engine.
 *
 *   node bench/run.mjs [--mode auto|webgpu|webgl2|headlessgl|webasm|cpu] [--sizes 1024,2048,4096]
 *     [--seconds 2] [--mlp-samples 60000] [--data FOLDER_WITH_FASHION_MNIST_GZ] [--skip-mlp] [--no-strips] [--compare-cpu]
 *
 * On the GPU machine see the README's "Measuring on a real GPU"; results land in
 * $DEVKIT_OUT/gpu-bench.json.
 */
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { setBackend } from '@dendrite/core';
import { createGpuBackend, type GpuBackendMode } from '../src/index.js';
import { findFashionMnist, loadFashionMnist } from '../src/test-support/fashion-mnist.js';
import { measureConv2d, measureMatmul, measureMlpEpoch, syntheticImages } from './measure.js';

interface Arguments {
  mode: GpuBackendMode;
  sizes: number[];
  seconds: number;
  mlpSamples: number;
  data: string | null;
  skipMlp: boolean;
  strips: boolean;
  compareCpu: boolean;
}

function parseArguments(argv: readonly string[]): Arguments {
  const value = (flag: string): string | undefined => {
    const index = argv.indexOf(flag);
    return index >= 0 ? argv[index + 1] : undefined;
  };
  const sizes = (value('--sizes') ?? '1024,2048,4096').split(',').map(Number);
  if (sizes.some((size) => !Number.isInteger(size) || size <= 0)) throw new Error(`--sizes: expected positive integers, got '${value('--sizes')}'`);
  return {
    mode: (value('--mode') ?? 'auto') as GpuBackendMode,
    sizes,
    seconds: Number(value('--seconds') ?? '2'),
    mlpSamples: Number(value('--mlp-samples') ?? '60000'),
    data: value('--data') ?? null,
    skipMlp: argv.includes('--skip-mlp'),
    strips: !argv.includes('--no-strips'),
    compareCpu: argv.includes('--compare-cpu'),
  };
}

/** Write `text` to `path` atomically (temporary file, then rename). */
function writeAtomically(path: string, text: string): void {
  mkdirSync(dirname(path), { recursive: true });
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, text);
  renameSync(temporary, path);
}

async function main(): Promise<void> {
  const options = parseArguments(process.argv.slice(2));
  const backend = await createGpuBackend({ mode: options.mode, strips: options.strips });
  const info = backend.info();
  console.log(`gpu backend: ${info.implementation}, strips ${info.strips}${info.notes?.length ? ` (${info.notes.join('; ')})` : ''}`);

  const matmul = [];
  for (const size of options.sizes) {
    const result = await measureMatmul(backend, size, options.seconds);
    console.log(`matmul ${size}x${size}: ${result.millisecondsPerMatmul.toFixed(2)} ms, ${result.gflops.toFixed(2)} GFLOP/s (${result.runs} runs, element error ${result.relativeErrorOfFirstElement.toExponential(1)})`);
    matmul.push(result);
  }

  const conv = await measureConv2d(backend, { batch: 32, size: 28, inChannels: 8, outChannels: 16, kernel: 5 }, options.seconds);
  console.log(`conv2d ${conv.shape}: ${conv.millisecondsPerConv.toFixed(2)} ms, ${conv.gflops.toFixed(2)} GFLOP/s`);

  let mlp = null;
  let cpuMlp = null;
  if (!options.skipMlp) {
    // The bundle runs from .devkit/ on the GPU machine, where pack.sh copies the data files.
    const bundleFolder = dirname(resolve(process.argv[1] ?? '.'));
    const folder = findFashionMnist('train', [...(options.data ? [options.data] : []), bundleFolder, join(bundleFolder, 'fashion-mnist')]);
    const samples = Math.min(60_000, options.mlpSamples);
    const data = folder ? await loadFashionMnist(folder, 'train', samples) : syntheticImages(samples, 784, 1);
    const source = folder ? `Fashion-MNIST from ${folder}` : 'synthetic images (Fashion-MNIST not found: pass --data)';
    await setBackend(backend);
    const result = await measureMlpEpoch(data, { sizes: [784, 128, 64, 10], batchSize: 128, learningRate: 1e-3, seed: 1 });
    mlp = { ...result, source };
    console.log(
      `MLP ${result.sizes} epoch of ${result.samples} samples (batch ${result.batchSize}, Adam) on ${source}: ` +
      `${result.seconds.toFixed(2)} s, ${result.millisecondsPerBatch.toFixed(2)} ms/batch, ${Math.round(result.samplesPerSecond)} samples/s, last loss ${result.lastLoss.toFixed(4)}`,
    );
    await setBackend('cpu');
    if (options.compareCpu) {
      cpuMlp = await measureMlpEpoch(data, { sizes: [784, 128, 64, 10], batchSize: 128, learningRate: 1e-3, seed: 1 });
      console.log(`the same epoch on core's CPU backend: ${cpuMlp.seconds.toFixed(2)} s, ${cpuMlp.millisecondsPerBatch.toFixed(2)} ms/batch`);
    }
  }

  const outDirectory = process.env.DEVKIT_OUT;
  const fileName = options.strips ? 'gpu-bench.json' : 'gpu-bench-no-strips.json';
  if (outDirectory) writeAtomically(join(outDirectory, fileName), JSON.stringify({ info, matmul, conv, mlp, cpuMlp }, null, 2));
  await backend.destroy();
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
