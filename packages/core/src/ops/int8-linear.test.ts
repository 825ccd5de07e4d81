import { describe, expect, it } from 'vitest';
import { createCpuBackend } from '../backends/cpu/cpu-backend.js';
import { engine } from '../engine.js';
import { DendriteError } from '../errors.js';
import { randomUniform } from './random.js';
import { tensor } from './creation.js';
import { int8Linear } from './int8-linear.js';

function int8Weights(out: number, inFeatures: number, seed: number) {
  const values = new Int32Array(out * inFeatures);
  for (let i = 0; i < values.length; i++) values[i] = ((i * 7919 + seed * 104729) % 255) - 127;
  return tensor(values, [out, inFeatures], 'int32');
}

describe('int8Linear', () => {
  it('gives the same values through the backend kernel and composed from float ops', async () => {
    const x = randomUniform([37, 200], -2, 2, 4);
    const weight = int8Weights(19, 200, 1);
    const scales = randomUniform([19], 0.001, 0.01, 5);
    const bias = randomUniform([19], -1, 1, 6);
    for (const options of [{ bias, activation: 'relu' as const }, { inputScale: 0.02 }, {}]) {
      const kernel = await int8Linear(x, weight, scales, options).data();
      // A CPU backend without the optional kernel takes the composed path.
      const plain = createCpuBackend();
      delete (plain as { int8Linear?: unknown }).int8Linear;
      const inputs = [x, weight, scales, bias].map((t) => t.dataSync());
      const composedValues = engine.withBackend(plain, () => {
        const [xc, wc, sc, bc] = [x, weight, scales, bias].map((t, i) => tensor(inputs[i], t.shape, t.dtype));
        return int8Linear(xc, wc, sc, { ...options, bias: options.bias ? bc : undefined }).dataSync();
      });
      expect(kernel.length).toBe(37 * 19);
      for (let i = 0; i < kernel.length; i++) expect(Math.abs(kernel[i] - composedValues[i])).toBeLessThanOrEqual(1e-6 * Math.max(1, Math.abs(kernel[i])));
    }
  });

  it('approximates the float product to within the int8 rounding', async () => {
    const x = randomUniform([16, 64], -1, 1, 2);
    const weightFloat = await randomUniform([8, 64], -0.5, 0.5, 3).data();
    // Per-channel symmetric quantization of the weights.
    const scales = new Float32Array(8);
    const quantized = new Int32Array(8 * 64);
    for (let o = 0; o < 8; o++) {
      let maximum = 0;
      for (let i = 0; i < 64; i++) maximum = Math.max(maximum, Math.abs(weightFloat[o * 64 + i]));
      scales[o] = maximum / 127;
      for (let i = 0; i < 64; i++) quantized[o * 64 + i] = Math.round(weightFloat[o * 64 + i] / scales[o]);
    }
    const y = await int8Linear(x, tensor(quantized, [8, 64], 'int32'), tensor(scales)).data();
    const xValues = await x.data();
    for (let r = 0; r < 16; r++) {
      for (let o = 0; o < 8; o++) {
        let exact = 0;
        for (let i = 0; i < 64; i++) exact += xValues[r * 64 + i] * weightFloat[o * 64 + i];
        expect(Math.abs(y[r * 8 + o] - exact)).toBeLessThan(0.05);
      }
    }
  });

  it('refuses bad input with errors naming the argument', () => {
    const x = randomUniform([2, 3]);
    const weight = tensor(new Int32Array(6), [2, 3], 'int32');
    expect(() => int8Linear(x, tensor(new Float32Array(6), [2, 3]), tensor([1, 1]))).toThrow(/int8Linear: weight must be int32/);
    expect(() => int8Linear(x, weight, tensor([1, 1, 1]))).toThrow(DendriteError);
    expect(() => int8Linear(randomUniform([2, 4]), weight, tensor([1, 1]))).toThrow(/has 4 features/);
    expect(() => int8Linear(x, weight, tensor([1, 1]), { inputScale: -1 })).toThrow(/inputScale/);
    expect(() => int8Linear(x, weight, tensor([1, 1]), { activation: 'tanh' as 'relu' })).toThrow(/activation/);
  });
});
