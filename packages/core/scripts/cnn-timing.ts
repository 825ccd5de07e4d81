// Timing of one training epoch of the small CNN of project issue 3 (not a test): conv 5x5x8 'same'
// + bias + relu -> maxpool 2 -> conv 5x5x16 'same' + bias + relu -> maxpool 2 -> dense 10,
// softmax cross-entropy, Adam, batch 64, on random 28x28x1 images. Prints ms per step, the
// extrapolated seconds for 60,000 images, and a per-kernel profile (the backend's methods wrapped
// with timers). Run with `npx tsx scripts/cnn-timing.ts [--steps 60] [--runs 3] [--threads 2] [--json] [--pool] [--separate]`
// (--pool: how the thread pool ran each wasm kernel; --separate: conv2d, add, relu and maxPool2d as four
// ops; --unpooled: conv2d with bias and relu, then maxPool2d; by default conv2dMaxPool).

import { cpus, loadavg } from 'node:os';
import {
  adamUpdate, add, conv2d, conv2dMaxPool, getBackendInfo, keep, linear, maxPool2d, randomNormal, randomUniform,
  relu, reshape, setBackend, softmaxCrossEntropy, tensor, tidy, variable, variableGrads, zerosLike,
  type Backend, type Tensor,
} from '../src/index.js';
import { createDefaultCpuBackend } from '../src/backend/index.js';
import { KernelThreadPool } from '../src/backends/cpu/wasm/thread-pool.js';

const IMAGES_PER_EPOCH = 60_000;
const BATCH = 64;
const STEPS_PER_EPOCH = Math.ceil(IMAGES_PER_EPOCH / BATCH);
/** Distinct random batches cycled through, so caches see more than one input. */
const DISTINCT_BATCHES = 4;
const WARMUP_STEPS = 15;
const SEPARATE = process.argv.includes('--separate');
const UNPOOLED = process.argv.includes('--unpooled');

function argument(name: string, fallback: number): number {
  const index = process.argv.indexOf(`--${name}`);
  return index >= 0 ? Number(process.argv[index + 1]) : fallback;
}

/** Per-kernel totals: calls and milliseconds, keyed by kernel (and op or shape where it tells them apart). */
class KernelProfile {
  readonly totals = new Map<string, { calls: number; milliseconds: number }>();
  enabled = false;

  record(key: string, milliseconds: number): void {
    if (!this.enabled) return;
    const entry = this.totals.get(key) ?? { calls: 0, milliseconds: 0 };
    entry.calls++;
    entry.milliseconds += milliseconds;
    this.totals.set(key, entry);
  }
}

/** The profile key of one kernel call: binary and unary ops by op, convolutions by input channels. */
function kernelKey(method: string, args: unknown[]): string {
  if (method === 'binary' || method === 'unary' || method === 'reduce') return `${method}:${String(args[0])}`;
  if (method === 'conv2dMaxPool') return `${method} (Cin=${(args[4] as { inChannels: number }).inChannels})`;
  if (method === 'maxPoolScatter') return `${method} (C=${(args[2] as number[])[3]})`;
  if (method.startsWith('conv2d')) return `${method} (Cin=${(args[2] as { inChannels: number }).inChannels})`;
  if (method === 'pool2d') return `${method} (C=${(args[1] as { channels: number }).channels})`;
  if (method === 'pool2dBackward') return `${method} (C=${(args[2] as { channels: number }).channels})`;
  return method;
}

const NOT_KERNELS = new Set(['name', 'init', 'info', 'memory', 'read', 'readSync', 'setAccelerator']);

/** Replaces each kernel method of the (plain-object) backend with a timed wrapper. */
function instrument(backend: Backend, profile: KernelProfile): void {
  const record = backend as unknown as Record<string, unknown>;
  for (const [method, value] of Object.entries(record)) {
    if (typeof value !== 'function' || NOT_KERNELS.has(method)) continue;
    const original = value as (...args: unknown[]) => unknown;
    record[method] = (...args: unknown[]) => {
      const start = performance.now();
      const result = original.apply(backend, args);
      profile.record(kernelKey(method, args), performance.now() - start);
      return result;
    };
  }
}

/**
 * Per wasm kernel, how the thread pool ran it: calls, chunks, calls kept on the calling thread, the
 * caller's milliseconds in the call, of them waiting for workers' chunks, and chunks the workers ran.
 */
interface PoolEntry { calls: number; chunks: number; local: number; milliseconds: number; waiting: number; workerChunks: number }

/** Wraps the pool's (private) runChunks and waitForChunks with timers; `--pool` prints the table. */
function instrumentPool(profile: { enabled: boolean; totals: Map<string, PoolEntry> }): void {
  const prototype = KernelThreadPool.prototype as unknown as Record<string, (...args: unknown[]) => unknown>;
  const runChunks = prototype.runChunks;
  const waitForChunks = prototype.waitForChunks;
  let waited = -1;
  prototype.waitForChunks = function (this: unknown, ...args: unknown[]) {
    const start = performance.now();
    const result = waitForChunks.apply(this, args);
    waited = performance.now() - start;
    return result;
  };
  prototype.runChunks = function (this: KernelThreadPool, ...args: unknown[]) {
    const workerChunksBefore = this.chunksRunByWorkers;
    waited = -1;
    const start = performance.now();
    const result = runChunks.apply(this, args);
    const milliseconds = performance.now() - start;
    if (profile.enabled) {
      const key = String(args[0]);
      const entry = profile.totals.get(key) ?? { calls: 0, chunks: 0, local: 0, milliseconds: 0, waiting: 0, workerChunks: 0 };
      entry.calls++;
      entry.chunks += args[1] as number;
      if (waited < 0) entry.local++;
      else entry.waiting += waited;
      entry.milliseconds += milliseconds;
      entry.workerChunks += this.chunksRunByWorkers - workerChunksBefore;
      profile.totals.set(key, entry);
    }
    return result;
  };
}

interface Model {
  parameters: Tensor[];
  loss(images: Tensor, labels: Tensor): Tensor;
}

function createModel(): Model {
  const conv1 = variable(randomNormal([5, 5, 1, 8], 0, Math.sqrt(2 / 25), 1));
  const bias1 = variable(randomNormal([8], 0, 0.01, 2));
  const conv2 = variable(randomNormal([5, 5, 8, 16], 0, Math.sqrt(2 / 200), 3));
  const bias2 = variable(randomNormal([16], 0, 0.01, 4));
  const dense = variable(randomNormal([7 * 7 * 16, 10], 0, Math.sqrt(1 / 784), 5));
  const denseBias = variable(randomNormal([10], 0, 0.01, 6));
  return {
    parameters: [conv1, bias1, conv2, bias2, dense, denseBias],
    loss(images, labels) {
      // --separate: conv2d, add, relu and maxPool2d as four ops (the form before conv2d fused them);
      // --unpooled: the fused conv2d, then maxPool2d (the form before conv2dMaxPool).
      const layer = (x: Tensor, filter: Tensor, bias: Tensor) => (SEPARATE
        ? maxPool2d(relu(add(conv2d(x, filter, { padding: 'same' }), bias)), 2)
        : UNPOOLED
          ? maxPool2d(conv2d(x, filter, { padding: 'same', bias, activation: 'relu' }), 2)
          : conv2dMaxPool(x, filter, { padding: 'same', bias, activation: 'relu' }));
      let hidden = layer(images, conv1, bias1);
      hidden = layer(hidden, conv2, bias2);
      const logits = linear(reshape(hidden, [images.shape[0], 7 * 7 * 16]), dense, { bias: denseBias });
      return softmaxCrossEntropy(logits, labels);
    },
  };
}

/** Adam as packages/optimizers does it (core cannot depend on that package): the fused core op. */
function createAdam(parameters: Tensor[], learningRate = 1e-3): (grads: Tensor[]) => void {
  const beta1 = 0.9;
  const beta2 = 0.999;
  const firstMoments = parameters.map((parameter) => keep(zerosLike(parameter)));
  const secondMoments = parameters.map((parameter) => keep(zerosLike(parameter)));
  let iteration = 0;
  return (grads) => {
    iteration++;
    const stepSize = (learningRate * Math.sqrt(1 - beta2 ** iteration)) / (1 - beta1 ** iteration);
    tidy(() => {
      parameters.forEach((parameter, index) => {
        const next = adamUpdate(parameter, grads[index], firstMoments[index], secondMoments[index],
          { stepSize, beta1, beta2, epsilon: 1e-8 });
        firstMoments[index].dispose();
        secondMoments[index].dispose();
        firstMoments[index] = keep(next.firstMoment);
        secondMoments[index] = keep(next.secondMoment);
        parameter.assign(next.param);
      });
    });
  };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

async function main(): Promise<void> {
  const steps = argument('steps', 60);
  const runs = argument('runs', 3);
  const threads = argument('threads', 2);
  const json = process.argv.includes('--json');
  const backend = createDefaultCpuBackend({ threads });
  await setBackend(backend);
  const profile = new KernelProfile();
  instrument(backend, profile);
  const poolProfile = { enabled: false, totals: new Map<string, PoolEntry>() };
  const showPool = process.argv.includes('--pool');
  if (showPool) instrumentPool(poolProfile);

  const model = createModel();
  const step = createAdam(model.parameters);
  const batches = Array.from({ length: DISTINCT_BATCHES }, (_, index) => ({
    images: keep(randomUniform([BATCH, 28, 28, 1], 0, 1, 100 + index)),
    labels: keep(tensor(Int32Array.from({ length: BATCH }, (_, row) => (row * 7 + index) % 10), [BATCH], 'int32')),
  }));
  let stepIndex = 0;
  const trainStep = async (): Promise<number> => {
    const { images, labels } = batches[stepIndex++ % DISTINCT_BATCHES];
    const { value, grads } = variableGrads(() => model.loss(images, labels), model.parameters);
    step(grads);
    for (const gradient of grads) gradient.dispose();
    const loss = (await value.data())[0];
    value.dispose();
    return loss;
  };

  for (let index = 0; index < WARMUP_STEPS; index++) await trainStep();
  const runMilliseconds: number[] = [];
  let lastLoss = NaN;
  profile.enabled = true;
  poolProfile.enabled = true;
  // CPU time of the process (all threads) per step: with --threads 1 the work itself, whatever the load.
  const runCpuMilliseconds: number[] = [];
  for (let run = 0; run < runs; run++) {
    const start = performance.now();
    const cpuStart = process.cpuUsage();
    for (let index = 0; index < steps; index++) lastLoss = await trainStep();
    const cpu = process.cpuUsage(cpuStart);
    runMilliseconds.push((performance.now() - start) / steps);
    runCpuMilliseconds.push((cpu.user + cpu.system) / 1000 / steps);
  }
  profile.enabled = false;
  poolProfile.enabled = false;

  const stepMilliseconds = median(runMilliseconds);
  const profiledSteps = steps * runs;
  const rows = [...profile.totals.entries()]
    .map(([kernel, { calls, milliseconds }]) => ({ kernel, callsPerStep: calls / profiledSteps, msPerStep: milliseconds / profiledSteps }))
    .sort((left, right) => right.msPerStep - left.msPerStep);
  const result = {
    backend: getBackendInfo(),
    cores: cpus().length,
    loadAverage: loadavg().map((load) => Number(load.toFixed(2))),
    batch: BATCH,
    stepsPerRun: steps,
    runMsPerStep: runMilliseconds.map((ms) => Number(ms.toFixed(2))),
    runCpuMsPerStep: runCpuMilliseconds.map((ms) => Number(ms.toFixed(2))),
    medianMsPerStep: Number(stepMilliseconds.toFixed(2)),
    epochSeconds: Number(((stepMilliseconds * STEPS_PER_EPOCH) / 1000).toFixed(1)),
    lastLoss,
    profile: rows,
  };
  if (json) {
    console.log(JSON.stringify(result, null, 2));
    return;
  }
  const info = result.backend;
  console.log(`backend ${info.name}/${info.implementation}, ${info.threads} thread(s); ${result.cores} cores; load ${result.loadAverage.join(' ')}`);
  console.log(`runs (ms/step): ${result.runMsPerStep.join(', ')}  (${steps} steps each, after ${WARMUP_STEPS} warm-up)`);
  console.log(`cpu (ms/step, all threads): ${result.runCpuMsPerStep.join(', ')}`);
  console.log(`median ${result.medianMsPerStep} ms/step -> ${result.epochSeconds} s per epoch (${STEPS_PER_EPOCH} steps of ${BATCH}); loss ${lastLoss.toFixed(3)}`);
  console.log('\nkernel                                 calls/step   ms/step');
  let kernelTotal = 0;
  for (const row of rows) {
    kernelTotal += row.msPerStep;
    console.log(`${row.kernel.padEnd(38)} ${row.callsPerStep.toFixed(1).padStart(10)} ${row.msPerStep.toFixed(2).padStart(9)}`);
  }
  console.log(`${'all kernels'.padEnd(38)} ${''.padStart(10)} ${kernelTotal.toFixed(2).padStart(9)}  (the rest is ops, autograd and JS)`);
  if (!showPool) return;
  console.log('\nwasm kernel            calls/step chunks/call local/step  ms/step  waiting/step  worker chunks %');
  for (const [kernel, entry] of [...poolProfile.totals.entries()].sort((left, right) => right[1].milliseconds - left[1].milliseconds)) {
    console.log(`${kernel.padEnd(22)} ${(entry.calls / profiledSteps).toFixed(1).padStart(10)} ${(entry.chunks / entry.calls).toFixed(1).padStart(11)} ` +
      `${(entry.local / profiledSteps).toFixed(1).padStart(10)} ${(entry.milliseconds / profiledSteps).toFixed(3).padStart(8)} ` +
      `${(entry.waiting / profiledSteps).toFixed(3).padStart(13)} ${((100 * entry.workerChunks) / Math.max(1, entry.chunks)).toFixed(0).padStart(16)}`);
  }
}

main().then(() => process.exit(0), (error: unknown) => {
  console.error(error);
  process.exit(1);
});
