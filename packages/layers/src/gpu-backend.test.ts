// The layers on the GPU backend (gpu.js's WebAssembly mode, which runs the same kernel sources in
// Node): same seed → same weights, and outputs and gradients equal to the CPU backend's.
import { getBackendInfo, mul, setBackend, sum, tensor, tidy, variable, variableGrads, type Tensor } from '@dendrite/core';
import { createGpuBackend, type GpuBackend } from '@dendrite/backend-gpujs';
import { expectClose } from '@dendrite/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GELU, SiLU, Softmax } from './activations.js';
import { Conv2D, Conv2DTranspose } from './conv2d.js';
import { Dense } from './dense.js';
import { Embedding } from './embedding.js';
import type { Layer } from './layer.js';
import { BatchNorm, LayerNorm } from './normalization.js';
import { AvgPool2D, GlobalAvgPool2D, MaxPool2D } from './pooling.js';
import { Flatten } from './reshape.js';
import { sequential } from './sequential.js';

interface Case {
  name: string;
  make: () => Layer<Tensor, Tensor>;
  shape: number[];
  ids?: number;
}

const CASES: Case[] = [
  { name: 'Dense relu', make: () => new Dense({ units: 5, activation: 'relu', seed: 1 }), shape: [3, 4] },
  { name: 'Dense gelu on rank 3', make: () => new Dense({ units: 3, activation: 'gelu', seed: 2 }), shape: [2, 3, 4] },
  { name: 'Conv2D stride 2, same, dilation', make: () => new Conv2D({ filters: 3, kernelSize: 3, stride: 2, padding: 'same', seed: 3 }), shape: [2, 5, 5, 2] },
  { name: 'Conv2D groups', make: () => new Conv2D({ filters: 4, kernelSize: 2, groups: 2, dilation: 2, activation: 'tanh', seed: 4 }), shape: [1, 5, 5, 2] },
  { name: 'Conv2DTranspose', make: () => new Conv2DTranspose({ filters: 2, kernelSize: 3, stride: 2, padding: 1, outputPadding: 1, seed: 5 }), shape: [1, 3, 3, 2] },
  { name: 'MaxPool2D', make: () => new MaxPool2D({ poolSize: 2, stride: 1 }), shape: [1, 4, 4, 2] },
  { name: 'AvgPool2D', make: () => new AvgPool2D({ poolSize: 2, padding: 'same' }), shape: [1, 3, 3, 2] },
  { name: 'GlobalAvgPool2D', make: () => new GlobalAvgPool2D(), shape: [2, 3, 3, 2] },
  { name: 'BatchNorm (training)', make: () => new BatchNorm({ seed: 6 }), shape: [4, 3] },
  { name: 'LayerNorm', make: () => new LayerNorm({ seed: 7 }), shape: [3, 5] },
  { name: 'Embedding', make: () => new Embedding({ inputDim: 6, outputDim: 3, seed: 8 }), shape: [2, 3], ids: 6 },
  { name: 'GELU tanh, SiLU, Softmax', make: () => sequential([new GELU({ approximate: 'tanh' }), new SiLU(), new Softmax()]), shape: [2, 4] },
  { name: 'Conv2D, Flatten, Dense', make: () => sequential([new Conv2D({ filters: 2, kernelSize: 2 }), new Flatten(), new Dense({ units: 3 })], { seed: 9 }), shape: [2, 3, 3, 1] },
];

function inputValues(testCase: Case): Float32Array | Int32Array {
  const size = testCase.shape.reduce((a, b) => a * b, 1);
  return testCase.ids ? new Int32Array(size).map((_, i) => (i * 5 + 1) % testCase.ids!) : new Float32Array(size).map((_, i) => Math.sin(i * 1.7 + 0.3));
}

/** Output, and gradients of sum(output · weights) with respect to the input (if float) and every parameter. */
function run(testCase: Case): { weights: Float32Array[]; output: Float32Array; grads: Float32Array[] } {
  return tidy(() => {
    const layer = testCase.make();
    const values = inputValues(testCase);
    const x = values instanceof Int32Array ? tensor(values, testCase.shape, 'int32') : variable(tensor(values, testCase.shape));
    layer.build(x.shape);
    const weights = layer.parameters().map((p) => p.dataSync() as Float32Array);
    let output: Float32Array = new Float32Array(0);
    const targets = [...(x.dtype === 'float32' ? [x] : []), ...layer.parameters()];
    const { grads } = variableGrads(() => {
      const y = layer.apply(x);
      output = y.dataSync() as Float32Array;
      return sum(mul(y, tensor(new Float32Array(y.size).map((_, i) => 0.5 + (i % 7) / 7), y.shape)));
    }, targets);
    const result = { weights, output, grads: grads.map((g) => g.dataSync() as Float32Array) };
    if (x.kept) x.dispose();
    layer.dispose();
    return result;
  });
}

describe('layers on the gpu backend (gpu.js webasm mode) match the CPU backend', () => {
  const reference = new Map<string, ReturnType<typeof run>>();
  let backend: GpuBackend;
  beforeAll(async () => {
    for (const testCase of CASES) reference.set(testCase.name, run(testCase));
    backend = await createGpuBackend({ mode: 'webasm' });
    await setBackend(backend);
  });
  afterAll(async () => {
    await setBackend('cpu');
    await backend.destroy();
  });

  it('runs on the gpu backend', () => {
    expect(getBackendInfo()).toMatchObject({ name: 'gpu', implementation: 'webasm' });
  });

  for (const testCase of CASES) {
    it(testCase.name, () => {
      const expected = reference.get(testCase.name)!;
      const actual = run(testCase);
      // Same seed, same weights, bit for bit: initializers draw on the host.
      expect(actual.weights.map((w) => Array.from(w))).toEqual(expected.weights.map((w) => Array.from(w)));
      expectClose(actual.output, expected.output, { atol: 1e-4, rtol: 1e-4 }, `${testCase.name} output`);
      actual.grads.forEach((g, i) => expectClose(g, expected.grads[i], { atol: 1e-4, rtol: 1e-4 }, `${testCase.name} gradient ${i}`));
    });
  }
});
