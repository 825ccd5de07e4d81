import { describe, expect, it } from 'vitest';
import { expectClose, gradCheck } from '../testing/index.js';
import { memory } from '../engine.js';
import { tensor } from './creation.js';
import { batchNorm } from './batch-norm.js';
import { layerNorm } from './layer-norm.js';

const values = (n: number, seed: number) => new Float32Array(n).map((_, i) => Math.sin(seed * 13.7 + i * 1.91) * 2 + (i % 3) * 0.4);

function referenceNorm(x: Float32Array, groups: number[][], epsilon: number): Float64Array {
  const out = new Float64Array(x.length);
  for (const group of groups) {
    const mean = group.reduce((a, i) => a + x[i], 0) / group.length;
    const variance = group.reduce((a, i) => a + (x[i] - mean) ** 2, 0) / group.length;
    for (const i of group) out[i] = (x[i] - mean) / Math.sqrt(variance + epsilon);
  }
  return out;
}

describe('layerNorm', () => {
  it('normalizes each example over the last axis with biased variance, then scales and shifts', () => {
    const x = values(12, 1);
    const gamma = [1.5, -0.5, 2, 0.25];
    const beta = [0.1, 0.2, -0.3, 0];
    const normalized = referenceNorm(x, [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9, 10, 11]], 1e-5);
    const expected = new Float32Array(12).map((_, i) => normalized[i] * gamma[i % 4] + beta[i % 4]);
    expectClose(layerNorm(tensor(x, [3, 4]), tensor(gamma), tensor(beta)).dataSync(), expected, { atol: 1e-5, rtol: 1e-5 });
  });

  it('normalizes over several axes, without affine parameters', () => {
    const x = values(24, 2);
    const groups = [Array.from({ length: 12 }, (_, i) => i), Array.from({ length: 12 }, (_, i) => 12 + i)];
    expectClose(layerNorm(tensor(x, [2, 3, 4]), null, null, { axis: [1, 2], epsilon: 1e-3 }).dataSync(),
      new Float32Array(referenceNorm(x, groups, 1e-3)), { atol: 1e-5, rtol: 1e-5 });
  });

  it('passes finite-difference gradient checks for x, gamma and beta', () => {
    gradCheck((x, g, b) => layerNorm(x, g, b), [
      { values: values(12, 3), shape: [3, 4] }, { values: new Float32Array([1.5, -0.5, 2, 0.25]), shape: [4] },
      { values: new Float32Array([0.1, 0.2, -0.3, 0]), shape: [4] },
    ]);
    gradCheck((x) => layerNorm(x, null, null, { axis: [1, 2] }), [{ values: values(12, 4), shape: [2, 2, 3] }]);
  });

  it('leaves only its output alive outside tidy (the reshaped gamma and beta included)', () => {
    const x = tensor(values(6, 1), [2, 3]);
    for (const [gamma, beta] of [[tensor([1, 2, 3]), tensor([0, 1, 0])], [tensor([1, 2, 3], [1, 3]), null]] as const) {
      const before = memory().tensors;
      const y = layerNorm(x, gamma, beta);
      expect(memory().tensors).toBe(before + 1);
      y.dispose();
      expect(memory().tensors).toBe(before);
    }
  });

  it('names the argument on bad input', () => {
    expect(() => layerNorm(tensor(values(6, 1), [2, 3]), tensor([1, 2]), null)).toThrow(/layerNorm: gamma \[2\] does not match the normalized shape \[3\]/);
    expect(() => layerNorm(tensor(values(6, 1), [2, 3]), null, null, { epsilon: -1 })).toThrow(/layerNorm: epsilon/);
    expect(() => layerNorm(null as never, null, null)).toThrow(/layerNorm: x must be a tensor/);
  });
});

describe('batchNorm', () => {
  it('uses batch statistics over every axis but the last (biased variance, as PyTorch)', () => {
    const x = values(24, 5); // [2, 2, 2, 3] NHWC
    const groups = [0, 1, 2].map((c) => Array.from({ length: 8 }, (_, k) => k * 3 + c));
    const gamma = [1, 2, -1];
    const beta = [0, 0.5, 1];
    const normalized = referenceNorm(x, groups, 1e-5);
    const expected = new Float32Array(24).map((_, i) => normalized[i] * gamma[i % 3] + beta[i % 3]);
    expectClose(batchNorm(tensor(x, [2, 2, 2, 3]), tensor(gamma), tensor(beta)).dataSync(), expected, { atol: 1e-5, rtol: 1e-5 });
  });

  it('uses the given mean and variance (evaluation)', () => {
    const x = values(6, 6);
    const mean = [0.5, -1, 2];
    const variance = [1, 4, 0.25];
    const expected = new Float32Array(6).map((_, i) => (x[i] - mean[i % 3]) / Math.sqrt(variance[i % 3] + 1e-3));
    expectClose(batchNorm(tensor(x, [2, 3]), null, null, { mean: tensor(mean), variance: tensor(variance), epsilon: 1e-3 }).dataSync(),
      expected, { atol: 1e-5, rtol: 1e-5 });
  });

  it('passes finite-difference gradient checks in both modes', () => {
    const gamma = { values: new Float32Array([1, 2, -1]), shape: [3] };
    const beta = { values: new Float32Array([0, 0.5, 1]), shape: [3] };
    gradCheck((x, g, b) => batchNorm(x, g, b), [{ values: values(12, 7), shape: [2, 2, 3] }, gamma, beta]);
    gradCheck((x, g, b, m, v) => batchNorm(x, g, b, { mean: m, variance: v }), [
      { values: values(6, 8), shape: [2, 3] }, gamma, beta,
      { values: new Float32Array([0.1, -0.2, 0.3]), shape: [3] }, { values: new Float32Array([1, 0.5, 2]), shape: [3] },
    ]);
  });

  it('names the argument on bad input', () => {
    const x = tensor(values(6, 1), [2, 3]);
    expect(() => batchNorm(x, tensor([1, 2]), null)).toThrow(/batchNorm: gamma must be a float32 \[3\] tensor/);
    expect(() => batchNorm(x, null, null, { mean: tensor([0, 0, 0]) })).toThrow(/both mean and variance/);
    expect(() => batchNorm(tensor([1, 2, 3]), null, null)).toThrow(/rank ≥ 2/);
    expect(() => batchNorm(tensor([[1, 2, 3]]), null, null)).toThrow(/more than one value per channel/);
  });
});
