/**
 * The browser side of training.test.ts: fetch a Fashion-MNIST subset from the test's server,
 * switch core's engine to the gpu backend on WebGL2 (`useGpu`), and train the same MLP with the
 * same code and seed as the CPU run in Node (src/test-support/mlp-training.ts).
 */
import { getBackend, memory } from '@dendrite/core';
import { useGpu, type GpuBackend } from '../src/index.js';
import { trainAndEvaluate, type ImageSplit, type TrainingOptions } from '../src/test-support/mlp-training.js';

async function fetchSplit(name: 'train' | 'test'): Promise<ImageSplit> {
  const [images, labels] = await Promise.all([
    fetch(`/data/${name}-images`).then((response) => response.arrayBuffer()),
    fetch(`/data/${name}-labels`).then((response) => response.arrayBuffer()),
  ]);
  const labelArray = new Int32Array(labels);
  return { images: new Float32Array(images), labels: labelArray, count: labelArray.length, features: images.byteLength / 4 / labelArray.length };
}

/** What the test asks for: layer sizes and the training options of trainAndEvaluate. */
export interface TrainingRequest extends TrainingOptions {
  sizes: number[];
  epochs: number;
  learningRate: number;
}

async function trainOnGpu(request: TrainingRequest): Promise<Record<string, unknown>> {
  const [train, test] = await Promise.all([fetchSplit('train'), fetchSplit('test')]);
  const info = await useGpu({ mode: 'webgl2' });
  const backend = getBackend() as GpuBackend;
  const memoryBefore = memory();
  const readbacksBefore = backend.stats().readbacks;
  const report = await trainAndEvaluate(request.sizes, train, test, request);
  return {
    info,
    report,
    trainCount: train.count,
    testCount: test.count,
    readbacks: backend.stats().readbacks - readbacksBefore,
    memoryBefore,
    memoryAfter: memory(),
  };
}

(window as unknown as { trainOnGpu: typeof trainOnGpu }).trainOnGpu = trainOnGpu;
