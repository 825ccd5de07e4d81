import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getBackend, setBackend, type Backend } from '@dendrite/core';
import { createGpuBackend, type GpuBackend } from '@dendrite/backend-gpujs';
import { ImplicitAls } from './models/implicit-als.js';
import { NeuralCf } from './models/neural-cf.js';
import { twoGroups } from './test-support.js';

// The same models on @dendrite/backend-gpujs (gpu.js compiled to plain JavaScript here, WebGL/WebGPU in a
// browser): ALS's conjugate-gradient matmuls, NCF's embeddings and Adam, and recommend's topK all run
// as that backend's kernels, and agree with the CPU backend.
describe('recsys on the gpu.js backend', () => {
  let cpu: Backend;
  let gpu: GpuBackend;
  beforeAll(async () => {
    cpu = getBackend();
    gpu = await createGpuBackend({ mode: 'cpu' });
  });
  afterAll(async () => {
    await setBackend(cpu);
    await gpu.destroy();
  });

  async function recommendOn(backend: Backend, model: () => ImplicitAls | NeuralCf) {
    await setBackend(backend);
    const instance = model();
    await instance.fit(twoGroups(), { epochs: 4, seed: 5 });
    const result = await instance.recommend([1, 8, 12], { count: 3 });
    instance.dispose();
    return result;
  }

  it('implicit ALS ranks the same items with the same scores as on the CPU', async () => {
    const make = () => new ImplicitAls({ factors: 2, alpha: 5, regularization: 0.01 });
    const onCpu = await recommendOn(cpu, make);
    const onGpu = await recommendOn(gpu, make);
    expect(Array.from(onGpu.items)).toEqual(Array.from(onCpu.items));
    onGpu.scores.forEach((score, position) => expect(score).toBeCloseTo(onCpu.scores[position], 3));
  });

  it('GMF trains (Adam, sampled negatives) and recommends on the gpu backend like on the CPU', async () => {
    const make = () => new NeuralCf({ architecture: 'gmf', factors: 4, learningRate: 0.01 });
    const onCpu = await recommendOn(cpu, make);
    const onGpu = await recommendOn(gpu, make);
    onGpu.scores.forEach((score, position) => expect(score).toBeCloseTo(onCpu.scores[position], 3));
  });

  it('NeuMF with lazy embedding updates (adamUpdateRows composed from gather/scatterAdd there) matches the CPU\'s in-place kernel', async () => {
    const make = () => new NeuralCf({ architecture: 'neumf', factors: 4, mlpLayers: [8, 4], learningRate: 0.01, embeddingUpdates: 'lazy' });
    const onCpu = await recommendOn(cpu, make);
    const onGpu = await recommendOn(gpu, make);
    onGpu.scores.forEach((score, position) => expect(score).toBeCloseTo(onCpu.scores[position], 3));
  });

  it('NeuMF update (grown tables, row-sparse Adam on the touched rows) matches the CPU\'s', async () => {
    const updated = async (backend: Backend) => {
      await setBackend(backend);
      const model = new NeuralCf({ architecture: 'neumf', factors: 4, mlpLayers: [8, 4], learningRate: 0.01 });
      await model.fit(twoGroups(), { epochs: 4, seed: 5 });
      // New user 20 likes the first group; new item 200 is liked by users of the second.
      await model.update({ users: [20, 20, 20, 7, 8, 9], items: [100, 101, 102, 200, 200, 200] }, { epochs: 5, learningRate: 0.01, seed: 2 });
      const result = await model.recommend([1, 8, 20], { count: 3 });
      model.dispose();
      return result;
    };
    const onCpu = await updated(cpu);
    const onGpu = await updated(gpu);
    onGpu.scores.forEach((score, position) => expect(score).toBeCloseTo(onCpu.scores[position], 3));
  });
});
