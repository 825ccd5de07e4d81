import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Backend, FusedActivation } from '../backend/backend.js';
import { createCpuBackend } from '../backends/cpu/cpu-backend.js';
import { expectSameBits } from '../backends/cpu/test-helpers.js';
import { createWasmAccelerator, type WasmAccelerator } from '../backends/cpu/wasm/index.js';
import { backward } from '../autograd/backward.js';
import { grad, variable } from '../autograd/grad.js';
import { engine, memory, tidy } from '../engine.js';
import { DendriteError } from '../errors.js';
import { gradCheck } from '../testing/index.js';
import type { Tensor } from '../tensor.js';
import { conv2d, type Conv2DOptions } from './conv2d.js';
import { conv2dMaxPool, maxPoolScatter } from './conv2d-max-pool.js';
import { tensor } from './creation.js';
import { mul } from './mul.js';
import { maxPool2d } from './pool2d.js';
import { randomUniform } from './random.js';
import { sum } from './sum.js';

// These tests pin the direct kernels' bits and paths; the Winograd kernel (wasm-winograd.test.ts) would take
// the 5x5 stride-1 cases with 4+ channels.
process.env.DENDRITE_WINOGRAD = 'off';

/** Values of `shape` in [-1, 1) from a seed (plain arrays, so every backend gets the same bits). */
function values(shape: number[], seed: number): { values: Float32Array; shape: number[] } {
  return { values: randomUniform(shape, -1, 1, seed).dataSync() as Float32Array, shape };
}

type Layer = (x: Tensor, filter: Tensor, bias: Tensor) => Tensor;

/** Output and the gradients of sum(output * weights) with respect to x, filter and bias, on `backend`. */
function run(backend: Backend, layer: Layer, inputs: ReturnType<typeof values>[]): Float32Array[] {
  return engine.withBackend(backend, () => engine.tidy(() => {
    const [x, filter, bias] = inputs.map((input) => tensor(input.values, input.shape));
    const output = layer(x, filter, bias);
    const weights = randomUniform(output.shape, -1, 1, 99);
    const gradients = grad((a: Tensor, b: Tensor, c: Tensor) => sum(mul(layer(a, b, c), weights)))(x, filter, bias);
    return [output, ...gradients].map((t) => t.dataSync() as Float32Array);
  }));
}

const separate = (options: Conv2DOptions, activation: FusedActivation): Layer =>
  (x, filter, bias) => maxPool2d(conv2d(x, filter, { ...options, bias, activation }), 2);
const fused = (options: Conv2DOptions, activation: FusedActivation): Layer =>
  (x, filter, bias) => conv2dMaxPool(x, filter, { ...options, bias, activation });

const CASES: Array<{ options: Conv2DOptions; inputs: ReturnType<typeof values>[] }> = [
  // The bench CNN's two layers (fewer images).
  { options: { padding: 'same' }, inputs: [values([2, 28, 28, 1], 1), values([5, 5, 1, 8], 2), values([8], 3)] },
  { options: { padding: 'same' }, inputs: [values([2, 14, 14, 8], 4), values([5, 5, 8, 16], 5), values([16], 6)] },
  // Odd outputs (7x7 -> 3x3: the last row and column are dropped), 12 channels (a ragged panel).
  { options: { padding: 'same' }, inputs: [values([3, 7, 7, 3], 7), values([3, 3, 3, 12], 8), values([12], 9)] },
  // Strided and dilated, unpadded; 5 channels.
  { options: { stride: [2, 1], padding: 'valid' }, inputs: [values([2, 11, 9, 2], 10), values([3, 2, 2, 5], 11), values([5], 12)] },
  { options: { dilation: 2, padding: 'same' }, inputs: [values([2, 8, 6, 4], 13), values([3, 3, 4, 8], 14), values([8], 15)] },
  // A patch wider than the fused wasm kernel takes (3x3x130): im2col's convolution, then the wasm pool with indices.
  { options: { padding: 'same' }, inputs: [values([1, 6, 5, 130], 16), values([3, 3, 130, 4], 17), values([4], 18)] },
];

describe('conv2dMaxPool', () => {
  let accelerator: WasmAccelerator;
  let single: WasmAccelerator;
  beforeAll(async () => {
    accelerator = await createWasmAccelerator({ threads: 2 });
    single = await createWasmAccelerator({ threads: 1 });
  });
  afterAll(() => {
    accelerator.dispose();
    single.dispose();
  });

  it('gives the bits of maxPool2d(conv2d(...)), forward and backward, on every CPU kernel path and both thread counts', () => {
    const wasm = createCpuBackend({ accelerator });
    const wasmSingle = createCpuBackend({ accelerator: single });
    const plain = createCpuBackend();
    // Without the optional kernels the op composes the two ops.
    const withoutKernel = createCpuBackend();
    delete (withoutKernel as { conv2dMaxPool?: unknown }).conv2dMaxPool;
    // Count the fused kernel's calls, so the comparison is known to compare two different paths.
    let fusedCalls = 0;
    for (const backend of [plain, wasm, wasmSingle]) {
      const kernel = backend.conv2dMaxPool!.bind(backend);
      backend.conv2dMaxPool = (...args) => {
        fusedCalls++;
        return kernel(...args);
      };
    }
    // The wide patch's pool runs in wasm after im2col's convolution (on both accelerators).
    let separatePools = 0;
    for (const target of [accelerator, single]) {
      const pool = target.maxPoolWithIndices!.bind(target);
      target.maxPoolWithIndices = (...args) => {
        separatePools++;
        return pool(...args);
      };
    }
    const activations: FusedActivation[] = ['relu', 'linear', 'tanh'];
    for (const { options, inputs } of CASES) {
      for (const activation of activations) {
        const results: Float32Array[][] = [];
        for (const backend of [plain, wasm, wasmSingle, withoutKernel]) {
          const expected = run(backend, separate(options, activation), inputs);
          const actual = run(backend, fused(options, activation), inputs);
          actual.forEach((result, index) => expectSameBits(result, expected[index]));
          results.push(actual);
        }
        // One thread and two give the same bits.
        results[1].forEach((result, index) => expectSameBits(result, results[2][index]));
      }
    }
    // Three backends with the kernel, each case and activation run forward and once more inside grad.
    expect(fusedCalls).toBe(CASES.length * activations.length * 3 * 2);
    expect(separatePools).toBe(activations.length * 2 * 2);
  });

  it('passes finite-difference gradient checks, with and without the fused kernels', () => {
    const inputs = [values([2, 6, 5, 2], 21), values([3, 3, 2, 3], 22), values([3], 23)];
    for (const backend of [createCpuBackend({ accelerator }), createCpuBackend()]) {
      engine.withBackend(backend, () => {
        gradCheck((x, filter, bias) => conv2dMaxPool(x, filter, { padding: 'same', bias, activation: 'tanh' }), inputs);
        gradCheck((x, filter, bias) => conv2dMaxPool(x, filter, { padding: 'same', bias, activation: 'relu' }), inputs);
        gradCheck((x, filter) => conv2dMaxPool(x, filter, { stride: [1, 2], padding: 'same' }), inputs.slice(0, 2));
      });
    }
  });

  it("scatters the pool's gradient to the recorded cells, and gathers its own gradient back (finite differences)", () => {
    // Two images of [2, 4, 1] cells, two pooled values each; an index outside its image (the last) is ignored.
    const indices = tensor([1, 6, 8 + 3, 8 + 12], [2, 2], 'int32');
    for (const backend of [createCpuBackend({ accelerator }), createCpuBackend()]) {
      engine.withBackend(backend, () => {
        const dx = maxPoolScatter(tensor([0.5, -2, 3, 4], [2, 2]), indices, [2, 2, 4, 1]);
        expectSameBits(dx.dataSync(), [0, 0.5, 0, 0, 0, 0, -2, 0, 0, 0, 0, 3, 0, 0, 0, 0]);
        const inside = tensor([1, 6, 8 + 3, 8 + 4], [2, 2], 'int32');
        gradCheck((dy) => maxPoolScatter(dy, inside, [2, 2, 4, 1]), [values([2, 2], 41)]);
      });
    }
  });

  it('leaves no tensor behind: without a gradient, and after backward frees what its gradient saved', () => {
    for (const backend of [createCpuBackend({ accelerator }), createCpuBackend()]) {
      engine.withBackend(backend, () => {
        const snapshot = () => ({ tensors: memory().tensors, buffers: memory().buffers });
        const x = tensor(values([2, 6, 6, 2], 51).values, [2, 6, 6, 2]);
        const filter = tensor(values([3, 3, 2, 4], 52).values, [3, 3, 2, 4]);
        const w = variable(filter);
        const baseline = snapshot();
        // No input needs a gradient: the indices are freed at once.
        conv2dMaxPool(x, filter, { padding: 'same' }).dispose();
        expect(snapshot()).toEqual(baseline);
        // The graph keeps the indices until backward has used them.
        const loss = tidy(() => sum(conv2dMaxPool(x, w, { padding: 'same', activation: 'relu' })));
        backward(loss);
        loss.dispose();
        w.grad!.dispose();
        w.grad = null;
        expect(snapshot()).toEqual(baseline);
      });
    }
  });

  it('refuses what maxPool2d(conv2d(...)) refuses, under its own name', () => {
    const x = tensor(new Float32Array(2 * 4 * 4 * 2), [2, 4, 4, 2]);
    const filter = tensor(new Float32Array(3 * 3 * 2 * 3), [3, 3, 2, 3]);
    expect(() => conv2dMaxPool(x, filter, { bias: tensor(new Float32Array(4), [4]) })).toThrow(DendriteError);
    expect(() => conv2dMaxPool(x, filter, { bias: tensor(new Float32Array(4), [4]) })).toThrow('conv2dMaxPool: bias [4] does not match the 3 output channels');
    expect(() => conv2dMaxPool(x, filter, { activation: 'gelu' as FusedActivation })).toThrow("conv2dMaxPool: unknown activation 'gelu'");
    // A 4x4 input and a 3x3 valid filter leave 2x2: one window. A 4x4 filter leaves 1x1: nothing to pool.
    expect(conv2dMaxPool(x, filter).shape).toEqual([2, 1, 1, 3]);
    expect(() => conv2dMaxPool(x, tensor(new Float32Array(4 * 4 * 2 * 3), [4, 4, 2, 3])))
      .toThrow("conv2dMaxPool: the convolution's output is 1x1, smaller than the 2x2 pool");
    expect(() => conv2dMaxPool(tensor(new Float32Array(8), [2, 4]), filter)).toThrow('conv2dMaxPool: expects NHWC input and a rank-4 filter');
  });
});
