import { describe, expect, it } from 'vitest';
import { createCpuBackend } from '../backends/cpu/cpu-backend.js';
import { engine } from '../engine.js';
import { DendriteError } from '../errors.js';
import { conv2d } from './conv2d.js';
import { tensor } from './creation.js';
import { int8Conv2d } from './int8-conv2d.js';
import { maxPool2d } from './pool2d.js';
import { randomUniform } from './random.js';

function int8Filter(shape: number[], seed: number) {
  const values = new Int32Array(shape.reduce((a, b) => a * b, 1));
  for (let i = 0; i < values.length; i++) values[i] = ((i * 7919 + seed * 104729) % 255) - 127;
  return tensor(values, shape, 'int32');
}

describe('int8Conv2d', () => {
  it('gives the same values through the backend kernel and composed from float ops', async () => {
    const x = randomUniform([3, 12, 10, 4], -2, 2, 4);
    const filter = int8Filter([3, 3, 4, 6], 1);
    const scales = randomUniform([6], 0.001, 0.01, 5);
    const bias = randomUniform([6], -1, 1, 6);
    const cases = [
      { padding: 'same' as const, bias, activation: 'relu' as const },
      { stride: 2, inputScale: 0.02 },
      { dilation: 2, padding: 1 },
      { padding: 'same' as const, bias, activation: 'relu' as const, maxPool: 2 },
      { stride: 2, inputScale: 0.02, maxPool: [2, 3] as [number, number] },
      { dilation: 2, padding: 1, bias, maxPool: 3 },
    ];
    for (const options of cases) {
      const kernel = await int8Conv2d(x, filter, scales, options).data();
      // A CPU backend without the optional kernel takes the composed path.
      const plain = createCpuBackend();
      delete (plain as { int8Conv2d?: unknown }).int8Conv2d;
      const inputs = [x, filter, scales, bias].map((t) => t.dataSync());
      const composedValues = engine.withBackend(plain, () => {
        const [xc, fc, sc, bc] = [x, filter, scales, bias].map((t, i) => tensor(inputs[i], t.shape, t.dtype));
        return int8Conv2d(xc, fc, sc, { ...options, bias: 'bias' in options ? bc : undefined }).dataSync();
      });
      expect(composedValues.length).toBe(kernel.length);
      for (let i = 0; i < kernel.length; i++) expect(Math.abs(kernel[i] - composedValues[i])).toBeLessThanOrEqual(1e-6 * Math.max(1, Math.abs(kernel[i])));
    }
  });

  it('approximates the float convolution to within the int8 rounding', async () => {
    const x = randomUniform([2, 9, 9, 3], -1, 1, 2);
    const filterFloat = await randomUniform([3, 3, 3, 5], -0.5, 0.5, 3).data();
    // Per-output-channel symmetric quantization of the filter.
    const scales = new Float32Array(5);
    const quantized = new Int32Array(filterFloat.length);
    for (let o = 0; o < 5; o++) {
      for (let i = o; i < filterFloat.length; i += 5) scales[o] = Math.max(scales[o], Math.abs(filterFloat[i]) / 127);
      for (let i = o; i < filterFloat.length; i += 5) quantized[i] = Math.round(filterFloat[i] / scales[o]);
    }
    const y = await int8Conv2d(x, tensor(quantized, [3, 3, 3, 5], 'int32'), tensor(scales), { padding: 'same' }).data();
    const exact = await conv2d(x, tensor(filterFloat, [3, 3, 3, 5]), { padding: 'same' }).data();
    expect(y.length).toBe(exact.length);
    for (let i = 0; i < y.length; i++) expect(Math.abs(y[i] - exact[i])).toBeLessThan(0.05);
  });

  it('with maxPool is the max pool of the unpooled result, of the pooled shape', async () => {
    const x = randomUniform([2, 11, 9, 3], -1, 1, 7);
    const filter = int8Filter([3, 3, 3, 10], 2);
    const scales = randomUniform([10], 0.001, 0.01, 8);
    const bias = randomUniform([10], -0.1, 0.1, 9);
    const options = { padding: 'same' as const, bias, activation: 'relu' as const };
    const pooled = int8Conv2d(x, filter, scales, { ...options, maxPool: [2, 3] });
    expect(pooled.shape).toEqual([2, 5, 3, 10]);
    expect(Array.from(await pooled.data())).toEqual(Array.from(await maxPool2d(int8Conv2d(x, filter, scales, options), [2, 3]).data()));
  });

  it('refuses bad input with errors naming the argument', () => {
    const x = randomUniform([1, 5, 5, 2]);
    const filter = tensor(new Int32Array(3 * 3 * 2 * 4), [3, 3, 2, 4], 'int32');
    expect(() => int8Conv2d(x, tensor(new Float32Array(72), [3, 3, 2, 4]), tensor([1, 1, 1, 1]))).toThrow(/int8Conv2d: filter must be int32/);
    expect(() => int8Conv2d(x, filter, tensor([1, 1, 1]))).toThrow(DendriteError);
    expect(() => int8Conv2d(randomUniform([5, 5, 2]), filter, tensor([1, 1, 1, 1]))).toThrow(/NHWC/);
    expect(() => int8Conv2d(x, filter, tensor([1, 1, 1, 1]), { inputScale: -1 })).toThrow(/inputScale/);
    expect(() => int8Conv2d(x, filter, tensor([1, 1, 1, 1]), { activation: 'tanh' as 'relu' })).toThrow(/activation/);
    expect(() => int8Conv2d(randomUniform([1, 5, 5, 3]), filter, tensor([1, 1, 1, 1]))).toThrow(DendriteError);
    expect(() => int8Conv2d(x, filter, tensor([1, 1, 1, 1]), { maxPool: 0 })).toThrow(/maxPool must be a positive integer/);
    expect(() => int8Conv2d(x, filter, tensor([1, 1, 1, 1]), { maxPool: [2, 1.5] as [number, number] })).toThrow(/maxPool must be/);
    expect(() => int8Conv2d(x, filter, tensor([1, 1, 1, 1]), { maxPool: 4 })).toThrow(/maxPool 4x4 is larger than the convolution's 3x3 output/);
  });
});
