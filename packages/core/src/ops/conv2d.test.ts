import { describe, expect, it } from 'vitest';
import type { Backend, FusedActivation } from '../backend/backend.js';
import { createCpuBackend } from '../backends/cpu/cpu-backend.js';
import { expectSameBits } from '../backends/cpu/test-helpers.js';
import { createWasmAccelerator } from '../backends/cpu/wasm/index.js';
import { grad } from '../autograd/grad.js';
import { engine } from '../engine.js';
import { DendriteError } from '../errors.js';
import { gradCheck } from '../testing/index.js';
import type { Tensor } from '../tensor.js';
import { add } from './add.js';
import { conv2d, type Conv2DOptions } from './conv2d.js';
import { tensor } from './creation.js';
import { mul } from './mul.js';
import { randomUniform } from './random.js';
import { relu } from './relu.js';
import { sum } from './sum.js';
import { tanh } from './tanh.js';

/** Values of `shape` in [-1, 1) from a seed (plain arrays, so every backend gets the same bits). */
function values(shape: number[], seed: number): { values: Float32Array; shape: number[] } {
  return { values: randomUniform(shape, -1, 1, seed).dataSync() as Float32Array, shape };
}

/** Output and the gradients of sum(output * weights) with respect to x, filter and bias, on `backend`. */
function run(backend: Backend, layer: (x: Tensor, filter: Tensor, bias: Tensor) => Tensor, inputs: ReturnType<typeof values>[]): Float32Array[] {
  return engine.withBackend(backend, () => engine.tidy(() => {
    const [x, filter, bias] = inputs.map((input) => tensor(input.values, input.shape));
    const output = layer(x, filter, bias);
    const weights = randomUniform(output.shape, -1, 1, 99);
    const gradients = grad((a: Tensor, b: Tensor, c: Tensor) => sum(mul(layer(a, b, c), weights)))(x, filter, bias);
    return [output, ...gradients].map((t) => t.dataSync() as Float32Array);
  }));
}

/** Without a bias, the bias still takes part after the layer (times 0) so every case has the same three gradients. */
const unusedBias = (y: Tensor, bias: Tensor, useBias: boolean): Tensor => (useBias ? y : add(y, mul(bias, 0)));

const separate = (options: Conv2DOptions, activation: FusedActivation, useBias: boolean) =>
  (x: Tensor, filter: Tensor, bias: Tensor): Tensor => {
    const z = useBias ? add(conv2d(x, filter, options), bias) : conv2d(x, filter, options);
    return unusedBias(activation === 'relu' ? relu(z) : activation === 'tanh' ? tanh(z) : z, bias, useBias);
  };

const fused = (options: Conv2DOptions, activation: FusedActivation, useBias: boolean) =>
  (x: Tensor, filter: Tensor, bias: Tensor): Tensor =>
    unusedBias(conv2d(x, filter, { ...options, bias: useBias ? bias : null, activation }), bias, useBias);

describe('conv2d with a bias and an activation', () => {
  it('gives the same bits fused as the separate conv2d, add and relu, forward and backward, on every CPU kernel path', async () => {
    const accelerator = await createWasmAccelerator({ threads: 2 });
    const wasm = createCpuBackend({ accelerator });
    // Without the optional kernel the op composes the separate ops.
    const withoutKernel = createCpuBackend();
    delete (withoutKernel as { fusedConv2d?: unknown }).fusedConv2d;
    // Count the fused kernel's calls, so the comparison is known to compare two different paths.
    let fusedCalls = 0;
    const plain = createCpuBackend();
    for (const backend of [plain, wasm]) {
      const kernel = backend.fusedConv2d!.bind(backend);
      backend.fusedConv2d = (...args) => {
        fusedCalls++;
        return kernel(...args);
      };
    }
    const cases: Array<{ options: Conv2DOptions; inputs: ReturnType<typeof values>[] }> = [
      // The bench CNN's second layer (fewer images); 9 output channels (a ragged 8-column panel), strided.
      { options: { padding: 'same' }, inputs: [values([2, 14, 14, 8], 1), values([5, 5, 8, 16], 2), values([16], 3)] },
      { options: { padding: 'same' }, inputs: [values([3, 7, 6, 3], 4), values([3, 3, 3, 9], 5), values([9], 6)] },
      { options: { stride: 2, padding: 'valid' }, inputs: [values([2, 9, 8, 2], 7), values([3, 2, 2, 5], 8), values([5], 9)] },
    ];
    for (const { options, inputs } of cases) {
      for (const backend of [plain, wasm, withoutKernel]) {
        for (const [activation, useBias] of [['relu', true], ['linear', true], ['relu', false]] as const) {
          const expected = run(backend, separate(options, activation, useBias), inputs);
          const actual = run(backend, fused(options, activation, useBias), inputs);
          actual.forEach((result, index) => expectSameBits(result, expected[index]));
        }
      }
    }
    // Each case: two backends with the kernel, three forms, each run forward and once more inside grad.
    expect(fusedCalls).toBe(cases.length * 2 * 3 * 2);
    accelerator.dispose();
  });

  it('passes finite-difference gradient checks', () => {
    const inputs = [values([2, 5, 4, 2], 11), values([3, 3, 2, 3], 12), values([3], 13)];
    gradCheck((x, filter, bias) => conv2d(x, filter, { padding: 'same', bias, activation: 'tanh' }), inputs);
    gradCheck((x, filter, bias) => conv2d(x, filter, { stride: [1, 2], bias, activation: 'relu' }), inputs);
    gradCheck((x, filter) => conv2d(x, filter, { padding: 'same', activation: 'sigmoid' }), inputs.slice(0, 2));
  });

  it('refuses a bias that does not match the output channels and unknown activations', () => {
    const x = tensor(new Float32Array(2 * 4 * 4 * 2), [2, 4, 4, 2]);
    const filter = tensor(new Float32Array(3 * 3 * 2 * 3), [3, 3, 2, 3]);
    expect(() => conv2d(x, filter, { bias: tensor(new Float32Array(4), [4]) })).toThrow(DendriteError);
    expect(() => conv2d(x, filter, { bias: tensor(new Float32Array(4), [4]) })).toThrow('conv2d: bias [4] does not match the 3 output channels');
    expect(() => conv2d(x, filter, { bias: tensor(new Float32Array(3), [1, 3]) })).toThrow(/conv2d: bias \[1, ?3\] does not match/);
    expect(() => conv2d(x, filter, { bias: tensor(new Int32Array(3), [3], 'int32') })).toThrow('conv2d: bias must be float32, got int32');
    expect(() => conv2d(x, filter, { activation: 'gelu' as FusedActivation })).toThrow("conv2d: unknown activation 'gelu'");
    expect(() => conv2d(x, filter, { bias: [1, 2, 3] as unknown as Tensor })).toThrow(/conv2d: argument 'bias'/);
  });
});
