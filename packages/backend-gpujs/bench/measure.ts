/**
 * Measurements shared by the Node benchmark (gpu-bench.ts) and the Chromium one
 * (browser-bench-page.ts): resident matmul and conv2d throughput on a gpu backend, and MLP
 * training time through core's engine on whatever backend is active.
 */
import { tidy } from '@dendrite/core';
import type { Conv2DInfo, TensorInfo } from '@dendrite/core/backend';
import { Adam } from '@dendrite/optimizers';
import type { GpuBackend } from '../src/index.js';
import { randomValues } from '@dendrite/core/testing';
import { batchTensors, createMlp, shuffledIndices, trainStep, type ImageSplit } from '../src/test-support/mlp-training.js';

/** Seeded values in [-0.5, 0.5), the same in Node and the browser. */
function seededValues(count: number, seed: number): Float32Array {
  return randomValues(count, seed, -0.5, 0.5);
}

/**
 * Time `launch` (each result disposed) over about `seconds`. GL queues draws without waiting, so
 * a timed loop would queue far more work than it measures: one launch plus a read first times a
 * single run, then that many runs are queued and the read of the last one waits for them all.
 */
async function timeResident(backend: GpuBackend, launch: () => object, seconds: number): Promise<{ runs: number; elapsed: number }> {
  const probeStart = performance.now();
  const probe = launch();
  await backend.read(probe, 'float32');
  backend.dispose(probe);
  const single = Math.max(1e-4, (performance.now() - probeStart) / 1000);
  const runs = Math.max(2, Math.min(10_000, Math.round(seconds / single)));
  let last: object | null = null;
  const start = performance.now();
  for (let run = 0; run < runs; run++) {
    if (last) backend.dispose(last);
    last = launch();
    if (run % 4 === 3) await backend.flush();
  }
  await backend.read(last!, 'float32'); // waits for every queued launch
  const elapsed = (performance.now() - start) / 1000;
  backend.dispose(last!);
  return { runs, elapsed };
}

/** One resident matmul measurement. */
export interface MatmulMeasurement {
  size: number;
  runs: number;
  millisecondsPerMatmul: number;
  gflops: number;
  /** |first element - float64 dot product| / |dot product|: a guard that the kernel is right. */
  relativeErrorOfFirstElement: number;
}

/** size x size matmuls with inputs uploaded once and products left on the device. */
export async function measureMatmul(backend: GpuBackend, size: number, seconds: number): Promise<MatmulMeasurement> {
  const shape = [size, size];
  const aHost = seededValues(size * size, 1);
  const bHost = seededValues(size * size, 2);
  const a: TensorInfo = { dataId: backend.upload(aHost.slice(), shape, 'float32'), shape, dtype: 'float32' };
  const b: TensorInfo = { dataId: backend.upload(bHost.slice(), shape, 'float32'), shape, dtype: 'float32' };
  // Warm-up: compiles the kernel and checks one element against a float64 dot product.
  const warm = backend.matmul(a, b, false, false, shape);
  const first = await backend.read(warm, 'float32');
  backend.dispose(warm);
  let expected = 0;
  for (let k = 0; k < size; k++) expected += aHost[k] * bHost[k * size];
  const relativeError = Math.abs(first[0] - expected) / Math.max(1e-6, Math.abs(expected));
  const { runs, elapsed } = await timeResident(backend, () => backend.matmul(a, b, false, false, shape), seconds);
  backend.dispose(a.dataId);
  backend.dispose(b.dataId);
  return {
    size, runs, millisecondsPerMatmul: (elapsed * 1000) / runs, gflops: (2 * size ** 3 * runs) / elapsed / 1e9,
    relativeErrorOfFirstElement: relativeError,
  };
}

/** One resident conv2d measurement ('same' padding, stride 1). */
export interface ConvMeasurement {
  shape: string;
  runs: number;
  millisecondsPerConv: number;
  gflops: number;
}

/** conv2d of a [batch, size, size, inChannels] input with a kernel x kernel x inChannels x outChannels filter. */
export async function measureConv2d(
  backend: GpuBackend, geometry: { batch: number; size: number; inChannels: number; outChannels: number; kernel: number }, seconds: number,
): Promise<ConvMeasurement> {
  const { batch, size, inChannels, outChannels, kernel } = geometry;
  const pad = Math.floor((kernel - 1) / 2);
  const info: Conv2DInfo = {
    batch, inHeight: size, inWidth: size, inChannels, outHeight: size, outWidth: size, outChannels,
    filterHeight: kernel, filterWidth: kernel, strideHeight: 1, strideWidth: 1, dilationHeight: 1, dilationWidth: 1,
    padTop: pad, padLeft: pad,
  };
  const xShape = [batch, size, size, inChannels];
  const filterShape = [kernel, kernel, inChannels, outChannels];
  const x: TensorInfo = { dataId: backend.upload(seededValues(batch * size * size * inChannels, 3), xShape, 'float32'), shape: xShape, dtype: 'float32' };
  const filter: TensorInfo = { dataId: backend.upload(seededValues(kernel * kernel * inChannels * outChannels, 4), filterShape, 'float32'), shape: filterShape, dtype: 'float32' };
  backend.dispose(backend.conv2d(x, filter, info)); // compile
  await backend.flush();
  const { runs, elapsed } = await timeResident(backend, () => backend.conv2d(x, filter, info), seconds);
  backend.dispose(x.dataId);
  backend.dispose(filter.dataId);
  const flops = 2 * batch * size * size * outChannels * kernel * kernel * inChannels;
  return {
    shape: `${batch}x${size}x${size}x${inChannels} * ${kernel}x${kernel}x${inChannels}x${outChannels}`,
    runs, millisecondsPerConv: (elapsed * 1000) / runs, gflops: (flops * runs) / elapsed / 1e9,
  };
}

/** One MLP training measurement. */
export interface MlpMeasurement {
  sizes: string;
  batchSize: number;
  samples: number;
  batches: number;
  seconds: number;
  millisecondsPerBatch: number;
  samplesPerSecond: number;
  lastLoss: number;
}

/**
 * One epoch (or its first `maxSamples`) of MLP training with Adam on the active backend, after
 * one warm-up step that compiles every kernel; the time includes the final loss read.
 */
export async function measureMlpEpoch(
  data: ImageSplit, options: { sizes: number[]; batchSize: number; learningRate: number; seed: number; maxSamples?: number },
): Promise<MlpMeasurement> {
  const model = createMlp(options.sizes, options.seed);
  const optimizer = new Adam(model.parameters, { learningRate: options.learningRate });
  const samples = Math.min(data.count, options.maxSamples ?? data.count);
  const order = shuffledIndices(data.count, options.seed).subarray(0, samples);
  const step = (rows: Int32Array) => tidy(() => {
    const [images, labels] = batchTensors(data, rows);
    return trainStep(model, optimizer, images, labels);
  });
  const warm = step(order.subarray(0, Math.min(samples, options.batchSize)));
  await warm.data();
  warm.dispose();
  let batches = 0;
  let last: { dispose(): void; data(): Promise<ArrayLike<number>> } | null = null;
  const start = performance.now();
  for (let first = 0; first < samples; first += options.batchSize) {
    last?.dispose();
    last = step(order.subarray(first, Math.min(samples, first + options.batchSize)));
    batches++;
  }
  const lastLoss = last ? (await last.data())[0] : Number.NaN;
  const seconds = (performance.now() - start) / 1000;
  last?.dispose();
  optimizer.dispose();
  model.dispose();
  return {
    sizes: options.sizes.join('-'), batchSize: options.batchSize, samples, batches, seconds,
    millisecondsPerBatch: (seconds * 1000) / batches, samplesPerSecond: samples / seconds, lastLoss,
  };
}

/** `count` seeded random images (values in [0, 1)) with labels 0..9: for timing without the data set. */
export function syntheticImages(count: number, features: number, seed: number): ImageSplit {
  const images = randomValues(count * features, seed, 0, 1);
  const labels = Int32Array.from({ length: count }, (_, index) => (index * 7 + seed) % 10);
  return { images, labels, count, features };
}
