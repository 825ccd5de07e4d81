import { cast, getBackendInfo, memory, setBackend, softmaxCrossEntropy, tensor, tidy, type Tensor } from '@dendrite/core';
import { Adam } from '@dendrite/optimizers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGpuBackend, type GpuBackend } from './index.js';
import { nodeTestModes } from './test-support/headless-gl.js';
import { randomValues } from '@dendrite/core/testing';
import { createMlp, trainStep, type Mlp } from './test-support/mlp-training.js';

/** A seeded batch of `rows` inputs in [-1, 1], labelled by which of the first `classes` features is largest. */
function syntheticBatch(rows: number, features: number, classes: number, seed: number): [Tensor, Tensor] {
  const values = randomValues(rows * features, seed);
  const labels = new Int32Array(rows);
  for (let row = 0; row < rows; row++) {
    for (let feature = 1; feature < classes; feature++) {
      if (values[row * features + feature] > values[row * features + labels[row]]) labels[row] = feature;
    }
  }
  return [tensor(values, [rows, features]), tensor(labels, [rows], 'int32')];
}

/** Losses of `steps` training steps of a fresh seeded MLP on the active backend. */
async function trainingLosses(sizes: number[], steps: number): Promise<number[]> {
  const model = createMlp(sizes, 11);
  const optimizer = new Adam(model.parameters, { learningRate: 1e-2 });
  const losses: number[] = [];
  for (let step = 0; step < steps; step++) {
    const loss = tidy(() => {
      const [images, labels] = syntheticBatch(64, sizes[0], sizes[sizes.length - 1], (step % 2) + 1);
      return trainStep(model, optimizer, images, labels);
    });
    losses.push((await loss.data())[0]);
    loss.dispose();
  }
  optimizer.dispose();
  model.dispose();
  return losses;
}

// Ordinary Dendrite code (core ops, autograd, @dendrite/optimizers' Adam) on core's engine, with
// the gpu backend active on gpu.js's WebAssembly mode and, where it is built, headless-gl (WebGL
// shaders; the browser modes run in browser/*.test.ts).
describe.each(nodeTestModes.filter((mode) => mode !== 'cpu'))('training an MLP through core\'s engine on the gpu backend (%s mode)', (mode) => {
  let backend: GpuBackend;
  beforeAll(async () => {
    backend = await createGpuBackend({ mode });
    await setBackend(backend);
  });
  afterAll(async () => {
    await setBackend('cpu');
    await backend.destroy();
  });

  it('runs on the gpu backend', () => {
    expect(getBackendInfo()).toMatchObject({ name: 'gpu', implementation: mode });
  });

  it('softmaxCrossEntropy on device-made labels: NaN for a label outside [0, classes), through the fused kernel alone', async () => {
    const logits = tensor([[1, 2, 3], [4, 5, 6]]);
    // Labels cast on the device have no host copy: core leaves the check to the fused kernel.
    const floats = tensor([0, 3]);
    const labels = cast(floats, 'int32');
    const before = backend.stats().kernelRuns;
    const loss = softmaxCrossEntropy(logits, labels);
    // log-sum-exp, losses, probabilities, then the mean's sum and division: no range-check kernels
    // (headless-gl adds one upload launch for the mean's divisor).
    expect(backend.stats().kernelRuns - before).toBe(mode === 'headlessgl' ? 6 : 5);
    expect(Number.isNaN(await loss.item())).toBe(true);
    for (const disposable of [logits, floats, labels, loss]) disposable.dispose();
  });

  it('reads back nothing but the loss it is asked for in a full 784-128-64-10 training step', async () => {
    const model = createMlp([784, 128, 64, 10], 3);
    const optimizer = new Adam(model.parameters, { learningRate: 1e-3 });
    const [images, labels] = syntheticBatch(64, 784, 10, 5);
    const warmLoss = trainStep(model, optimizer, images, labels); // first step creates Adam's moments
    warmLoss.dispose();
    const readbacksBefore = backend.stats().readbacks;
    const kernelRunsBefore = backend.stats().kernelRuns;
    const loss = trainStep(model, optimizer, images, labels);
    expect(backend.stats().readbacks).toBe(readbacksBefore);
    // The README's launch count (fused matmul, Adam and softmaxCrossEntropy kernels); GL adds
    // upload launches and, for big matmuls, pack/unpack passes.
    if (mode === 'webasm') expect(backend.stats().kernelRuns - kernelRunsBefore).toBe(48);
    const value = (await loss.data())[0];
    expect(backend.stats().readbacks - readbacksBefore).toBe(1);
    expect(Number.isFinite(value)).toBe(true);
    expect(value).toBeGreaterThan(0);
    for (const disposable of [loss, images, labels]) disposable.dispose();
    optimizer.dispose();
    model.dispose();
  });

  it('keeps tensors, buffers and bytes flat over 1,000 training steps, compiling nothing new', () => {
    const model: Mlp = createMlp([32, 24, 10], 5);
    const optimizer = new Adam(model.parameters, { learningRate: 1e-3 });
    const [images, labels] = syntheticBatch(16, 32, 10, 9);
    trainStep(model, optimizer, images, labels).dispose();
    const before = memory();
    const compilesBefore = backend.stats().compiles;
    for (let step = 0; step < 1000; step++) trainStep(model, optimizer, images, labels).dispose();
    expect(memory()).toEqual(before);
    expect(backend.stats().compiles).toBe(compilesBefore);
    // Everything the test made is freed again: the model, Adam's moments and the batch.
    for (const disposable of [images, labels]) disposable.dispose();
    optimizer.dispose();
    model.dispose();
    expect(memory()).toMatchObject({ buffers: before.buffers - 2 - 3 * model.parameters.length });
  });

  it('gives the same losses as core\'s CPU backend over the same training steps (within 1e-4 relative)', async () => {
    const sizes = [64, 32, 16, 10];
    const kernelRunsBefore = backend.stats().kernelRuns;
    const gpuLosses = await trainingLosses(sizes, 10);
    const gpuKernelRuns = backend.stats().kernelRuns - kernelRunsBefore;
    expect((await setBackend('cpu')).name).toBe('cpu');
    const cpuLosses = await trainingLosses(sizes, 10);
    await setBackend(backend);
    expect(backend.stats().kernelRuns - kernelRunsBefore).toBe(gpuKernelRuns); // the CPU run ran no gpu kernel
    expect(gpuKernelRuns).toBeGreaterThan(100);
    const format = (losses: number[]): string => losses.map((loss) => loss.toFixed(7)).join(' ');
    console.info(`losses of 10 steps on gpu (${mode}): ${format(gpuLosses)}; on cpu: ${format(cpuLosses)}`);
    expect(gpuLosses[gpuLosses.length - 1]).toBeLessThan(gpuLosses[0] * 0.9); // it learns
    // float32 sums run in another order on each backend; Adam amplifies that only slightly.
    for (let step = 0; step < cpuLosses.length; step++) {
      expect(Math.abs(gpuLosses[step] - cpuLosses[step])).toBeLessThanOrEqual(1e-4 * Math.abs(cpuLosses[step]) + 1e-5);
    }
  });
});
