import { tensor, zeros } from '@dendrite/core';
import { expectClose } from '@dendrite/core/testing';
import { describe, expect, it } from 'vitest';
import { CosineDense } from './cosine-dense.js';
import { modelFromBytes, modelToBytes } from './serialization/bytes.js';
import { sequential } from './sequential.js';
import { checkLayerGradients } from './test-utils.js';

const values = (n: number, seed: number) => new Float32Array(n).map((_, i) => Math.sin(seed * 3.3 + i * 1.71) * 2 + 0.3);

describe('CosineDense', () => {
  it('gives scale times the cosine between each input row and each kernel column', () => {
    const x = values(3 * 4, 1);
    const layer = new CosineDense({ units: 2, scale: 7, seed: 1 });
    const y = layer.apply(tensor(x, [3, 4]));
    expect(y.shape).toEqual([3, 2]);
    const kernel = layer.kernel.dataSync();
    const expected: number[] = [];
    for (let row = 0; row < 3; row++) {
      for (let unit = 0; unit < 2; unit++) {
        let dot = 0, xx = 0, ww = 0;
        for (let k = 0; k < 4; k++) {
          dot += x[row * 4 + k] * kernel[k * 2 + unit];
          xx += x[row * 4 + k] ** 2;
          ww += kernel[k * 2 + unit] ** 2;
        }
        expected.push(7 * dot / Math.sqrt(xx * ww));
      }
    }
    expectClose(y.dataSync(), new Float32Array(expected), { atol: 1e-5, rtol: 1e-5 });
    // Scaling an input row or a kernel column changes nothing: only directions count.
    expectClose(layer.apply(tensor(x.map((value) => value * 5), [3, 4])).dataSync(), y.dataSync(), { atol: 1e-5, rtol: 1e-5 });
    // Rank 3 is a batch of rows.
    expect(layer.apply(tensor(values(2 * 3 * 4, 2), [2, 3, 4])).shape).toEqual([2, 3, 2]);
  });

  it('maps an all-zero input row (a dead ReLU feature vector) to zero logits, not NaN', () => {
    const layer = new CosineDense({ units: 3, seed: 2 });
    expect(Array.from(layer.apply(zeros([2, 5])).dataSync())).toEqual([0, 0, 0, 0, 0, 0]);
  });

  it('passes finite-difference gradient checks for its input and kernel', () => {
    checkLayerGradients(new CosineDense({ units: 3, scale: 4, seed: 3 }), [{ values: values(2 * 5, 4), shape: [2, 5] }], { epsilon: 1e-3 });
  });

  it('saves and loads in a model, and refuses bad options and inputs', async () => {
    const model = sequential([new CosineDense({ units: 2, scale: 3, seed: 5 })], { seed: 5 });
    const x = tensor(values(4, 6), [1, 4]);
    const before = model.apply(x).dataSync();
    const loaded = await modelFromBytes(await modelToBytes(model));
    expectClose(loaded.apply(x).dataSync(), before, { atol: 0, rtol: 0 });
    expect(() => new CosineDense({ units: 0 })).toThrow(/units must be a positive integer, got 0/);
    expect(() => new CosineDense({ units: 2, scale: -1 })).toThrow(/scale must be a finite number > 0, got -1/);
    expect(() => new CosineDense({ units: 2, seed: 1 }).apply(tensor([1, 2, 3]))).toThrow(/CosineDense needs inputs \[batch, \.\.\., features\]/);
  });
});
