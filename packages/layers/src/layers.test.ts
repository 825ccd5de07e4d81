import { memory, randomNormal, sum, tensor, tidy, variable, variableGrads, type Tensor } from '@dendrite/core';
import { expectClose } from '@dendrite/core/testing';
import { describe, expect, it } from 'vitest';
import {
  Activation, ELU, GELU, LeakyReLU, LogSoftmax, ReLU, SELU, SiLU, Sigmoid, Softmax, Softplus, Tanh,
} from './activations.js';
import { Dropout } from './dropout.js';
import { Embedding } from './embedding.js';
import { BatchNorm, LayerNorm } from './normalization.js';
import { AvgPool2D, GlobalAvgPool2D, MaxPool2D } from './pooling.js';
import { Flatten, Reshape } from './reshape.js';
import { checkLayerGradients } from './test-utils.js';

const values = (n: number, seed: number) => new Float32Array(n).map((_, i) => Math.sin(seed * 5.1 + i * 1.37) * 2);

describe('pooling', () => {
  it('MaxPool2D and AvgPool2D match direct window reductions; GlobalAvgPool2D averages H and W', () => {
    const x = values(1 * 4 * 6 * 2, 1);
    const at = (i: number, j: number, c: number) => x[(i * 6 + j) * 2 + c];
    const max = new MaxPool2D({ poolSize: 2 }).apply(tensor(x, [1, 4, 6, 2]));
    const avg = new AvgPool2D({ poolSize: [2, 3], stride: [2, 1] }).apply(tensor(x, [1, 4, 6, 2]));
    expect(max.shape).toEqual([1, 2, 3, 2]);
    expect(avg.shape).toEqual([1, 2, 4, 2]);
    const expectedMax: number[] = [];
    for (let i = 0; i < 2; i++) for (let j = 0; j < 3; j++) for (let c = 0; c < 2; c++) {
      expectedMax.push(Math.max(at(2 * i, 2 * j, c), at(2 * i + 1, 2 * j, c), at(2 * i, 2 * j + 1, c), at(2 * i + 1, 2 * j + 1, c)));
    }
    expectClose(max.dataSync(), new Float32Array(expectedMax), { atol: 1e-6, rtol: 0 });
    const expectedAvg: number[] = [];
    for (let i = 0; i < 2; i++) for (let j = 0; j < 4; j++) for (let c = 0; c < 2; c++) {
      let total = 0;
      for (let p = 0; p < 2; p++) for (let q = 0; q < 3; q++) total += at(2 * i + p, j + q, c);
      expectedAvg.push(total / 6);
    }
    expectClose(avg.dataSync(), new Float32Array(expectedAvg), { atol: 1e-6, rtol: 1e-6 });
    const global = new GlobalAvgPool2D().apply(tensor(x, [1, 4, 6, 2]));
    expect(global.shape).toEqual([1, 2]);
    expectClose(global.dataSync(), new Float32Array([0, 1].map((c) => x.filter((_, i) => i % 2 === c).reduce((a, b) => a + b, 0) / 24)), { atol: 1e-6, rtol: 1e-5 });
    expect(new GlobalAvgPool2D({ keepDims: true }).outputShape([-1, 4, 6, 2])).toEqual([-1, 1, 1, 2]);
    expect(new MaxPool2D({ poolSize: 2, padding: 'same' }).outputShape([-1, 5, 5, 3])).toEqual([-1, 3, 3, 3]);
    expect(() => new MaxPool2D().apply(tensor([1, 2]))).toThrow(/expects NHWC inputs/);
    expect(() => new MaxPool2D({ poolSize: 0 })).toThrow(/MaxPool2D: poolSize must be a positive integer/);
  });

  it('pass finite-difference gradient checks', () => {
    checkLayerGradients(new MaxPool2D({ poolSize: 2, stride: 1 }), [{ values: values(1 * 3 * 3 * 2, 2), shape: [1, 3, 3, 2] }]);
    checkLayerGradients(new AvgPool2D({ poolSize: 2, padding: 'same' }), [{ values: values(1 * 3 * 3 * 2, 3), shape: [1, 3, 3, 2] }]);
    checkLayerGradients(new GlobalAvgPool2D(), [{ values: values(2 * 2 * 3 * 2, 4), shape: [2, 2, 3, 2] }]);
  });
});

describe('Flatten and Reshape', () => {
  it('keep the batch axis and reshape the rest', () => {
    const x = tensor(values(2 * 3 * 4, 1), [2, 3, 4]);
    expect(new Flatten().apply(x).shape).toEqual([2, 12]);
    expect(Array.from(new Flatten().apply(x).dataSync())).toEqual(Array.from(x.dataSync()));
    checkLayerGradients(new Flatten(), [{ values: values(12, 3), shape: [2, 3, 2] }]);
    expect(new Reshape({ targetShape: [4, -1] }).apply(x).shape).toEqual([2, 4, 3]);
    expect(new Reshape({ targetShape: [6, 2] }).outputShape([-1, 3, 4])).toEqual([-1, 6, 2]);
    expect(() => new Reshape({ targetShape: [5, -1] }).apply(x)).toThrow(/cannot reshape examples of shape \[3, 4\] \(12 values\) to \[5, -1\]/);
    expect(() => new Reshape({ targetShape: [-1, -1] })).toThrow(/at most one -1/);
    checkLayerGradients(new Reshape({ targetShape: [3, 2] }), [{ values: values(12, 2), shape: [2, 6] }]);
  });
});

describe('Dropout', () => {
  it('draws a fresh, seeded mask on every call in training and is the identity in eval', () => {
    const x = tensor(new Float32Array(1000).fill(1), [10, 100]);
    const drop = new Dropout({ rate: 0.3, seed: 1 });
    const first = Array.from(drop.apply(x).dataSync());
    const second = Array.from(drop.apply(x).dataSync());
    expect(first).not.toEqual(second);
    for (const sample of [first, second]) {
      expect(new Set(sample.map((v) => v.toFixed(5)))).toEqual(new Set(['0.00000', (1 / 0.7).toFixed(5)]));
      const kept = sample.filter((v) => v !== 0).length / 1000;
      expect(kept).toBeGreaterThan(0.64);
      expect(kept).toBeLessThan(0.76);
    }
    // Same seed, same sequence of masks.
    const again = new Dropout({ rate: 0.3, seed: 1 });
    expect(Array.from(again.apply(x).dataSync())).toEqual(first);
    // The gradient is the same call's mask, scaled: d sum(dropout(x)) / dx = output / x.
    const input = variable(tensor(new Float32Array(200).fill(2), [2, 100]));
    let outputValues: number[] = [];
    const { grads: [gradient] } = variableGrads(() => {
      const output: Tensor = drop.apply(input);
      outputValues = Array.from(output.dataSync());
      return sum(output);
    }, [input]);
    expect(Array.from(gradient.dataSync())).toEqual(outputValues.map((v) => v / 2));
    expect(new Set(Array.from(gradient.dataSync()).map((v) => v.toFixed(4)))).toEqual(new Set(['0.0000', (1 / 0.7).toFixed(4)]));
    drop.eval();
    expect(drop.apply(x)).toBe(x);
    expect(() => new Dropout({ rate: 1 })).toThrow(/Dropout: rate must be in \[0, 1\)/);
  });
});

describe('BatchNorm', () => {
  it('normalizes with batch statistics in training, updates running statistics as PyTorch, uses them in eval', () => {
    const x = values(4 * 3, 1); // [4, 3]
    const norm = new BatchNorm({ momentum: 0.1 });
    const y = norm.apply(tensor(x, [4, 3])).dataSync();
    for (let c = 0; c < 3; c++) {
      const column = [0, 1, 2, 3].map((r) => x[r * 3 + c]);
      const mean = column.reduce((a, b) => a + b, 0) / 4;
      const biased = column.reduce((a, b) => a + (b - mean) ** 2, 0) / 4;
      column.forEach((v, r) => expect(y[r * 3 + c]).toBeCloseTo((v - mean) / Math.sqrt(biased + 1e-5), 4));
      expect(norm.runningMean.dataSync()[c]).toBeCloseTo(0.1 * mean, 6);
      expect(norm.runningVariance.dataSync()[c]).toBeCloseTo(0.9 + 0.1 * biased * 4 / 3, 5);
    }
    expect(Object.keys(norm.stateDict())).toEqual(['gamma', 'beta', 'runningMean', 'runningVariance']);
    expect(norm.parameters().length).toBe(2);
    norm.eval();
    const evaluated = norm.apply(tensor(x, [4, 3])).dataSync();
    const runningMean = norm.runningMean.dataSync();
    const runningVariance = norm.runningVariance.dataSync();
    evaluated.forEach((v, i) => expect(v).toBeCloseTo((x[i] - runningMean[i % 3]) / Math.sqrt(runningVariance[i % 3] + 1e-5), 4));
    // Eval leaves the running statistics alone.
    expect(Array.from(norm.runningMean.dataSync())).toEqual(Array.from(runningMean));
  });

  it('works on NHWC images and passes finite-difference gradient checks in both modes', () => {
    const norm = new BatchNorm({ seed: 1 });
    expect(norm.apply(randomNormal([2, 3, 3, 4], 0, 1, 1)).shape).toEqual([2, 3, 3, 4]);
    // Gradient checks perturb inputs many times; the running statistics move, so check eval and train separately.
    checkLayerGradients(new BatchNorm({ momentum: 0 }), [{ values: values(2 * 2 * 3, 2), shape: [2, 2, 3] }]);
    const evaluated = new BatchNorm();
    evaluated.build([-1, 3]);
    evaluated.eval();
    checkLayerGradients(evaluated, [{ values: values(6, 3), shape: [2, 3] }]);
  });

  it('refuses bad options and a batch of one value per channel in training', () => {
    expect(() => new BatchNorm({ momentum: 2 })).toThrow(/BatchNorm: momentum must be in \[0, 1\]/);
    expect(() => new BatchNorm().apply(tensor([[1, 2, 3]]))).toThrow(/more than one value per channel/);
  });
});

describe('LayerNorm', () => {
  it('normalizes each example over the last axis (or several) and learns gamma and beta of that shape', () => {
    const x = values(2 * 5, 1);
    const norm = new LayerNorm();
    const y = norm.apply(tensor(x, [2, 5])).dataSync();
    for (let r = 0; r < 2; r++) {
      const row = Array.from(x.slice(r * 5, r * 5 + 5));
      const mean = row.reduce((a, b) => a + b, 0) / 5;
      const variance = row.reduce((a, b) => a + (b - mean) ** 2, 0) / 5;
      row.forEach((v, k) => expect(y[r * 5 + k]).toBeCloseTo((v - mean) / Math.sqrt(variance + 1e-5), 4));
    }
    const wide = new LayerNorm({ axis: [1, 2] });
    wide.build([-1, 3, 4]);
    expect(wide.gamma!.shape).toEqual([3, 4]);
    checkLayerGradients(new LayerNorm({ seed: 1, epsilon: 1e-3 }), [{ values: values(2 * 4, 2), shape: [2, 4] }]);
    expect(() => new LayerNorm({ axis: 0 }).build([-1, 3])).toThrow(/must name known, non-batch axes/);
  });
});

describe('Embedding', () => {
  it('looks up rows by id, keeps the ids shape, and sends gradients only to the rows used', () => {
    const embed = new Embedding({ inputDim: 6, outputDim: 3, seed: 1 });
    const ids = tensor([[1, 4], [4, 0]], [2, 2], 'int32');
    const y = embed.apply(ids);
    expect(y.shape).toEqual([2, 2, 3]);
    const table = embed.embeddings.dataSync();
    expect(Array.from(y.dataSync())).toEqual([1, 4, 4, 0].flatMap((id) => Array.from(table.slice(id * 3, id * 3 + 3))));
    expect(Math.max(...Array.from(table).map(Math.abs))).toBeLessThanOrEqual(0.05);
    const { grads: [grad] } = variableGrads(() => sum(embed.apply(ids)), [embed.embeddings]);
    expect(Array.from(grad.dataSync())).toEqual([1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 2, 2, 2, 0, 0, 0]);
    expect(() => embed.apply(tensor([[6]], [1, 1], 'int32'))).toThrow(/id 6 at position 0 is outside \[0, 6\)/);
    expect(() => embed.apply(tensor([[1]]))).toThrow(/ids must be int32/);
    expect(embed.outputShape([-1, 7])).toEqual([-1, 7, 3]);
    checkLayerGradients(new Embedding({ inputDim: 4, outputDim: 2, seed: 2 }), [{ values: new Int32Array([3, 0, 3, 1]), shape: [2, 2] }]);
  });
});

describe('activation layers', () => {
  it('compute their functions over their documented ranges and pass gradient checks', () => {
    const points = [-3, -1, -0.5, 0.25, 1, 2.5];
    const x = tensor(points, [1, 6]);
    const sigma = (v: number) => 1 / (1 + Math.exp(-v));
    const cases: Array<[import('./layer.js').Layer, (v: number) => number]> = [
      [new ReLU(), (v) => Math.max(0, v)],
      [new Sigmoid(), sigma],
      [new Tanh(), Math.tanh],
      [new LeakyReLU({ alpha: 0.2 }), (v) => (v > 0 ? v : 0.2 * v)],
      [new ELU({ alpha: 0.5 }), (v) => (v > 0 ? v : 0.5 * (Math.exp(v) - 1))],
      [new SELU(), (v) => 1.0507009873554805 * (v > 0 ? v : 1.6732632423543772 * (Math.exp(v) - 1))],
      [new GELU({ approximate: 'tanh' }), (v) => 0.5 * v * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (v + 0.044715 * v ** 3)))],
      [new SiLU(), (v) => v * sigma(v)],
      [new Softplus(), (v) => Math.log1p(Math.exp(v))],
      [new Activation({ activation: 'relu' }), (v) => Math.max(0, v)],
    ];
    for (const [layer, f] of cases) {
      expectClose(layer.apply(x).dataSync(), new Float32Array(points.map(f)), { atol: 1e-5, rtol: 1e-5 }, layer.name);
      checkLayerGradients(layer, [{ values: new Float32Array(points), shape: [1, 6] }]);
    }
    const total = points.reduce((a, v) => a + Math.exp(v), 0);
    expectClose(new Softmax().apply(x).dataSync(), new Float32Array(points.map((v) => Math.exp(v) / total)), { atol: 1e-6, rtol: 1e-5 });
    expectClose(new LogSoftmax().apply(x).dataSync(), new Float32Array(points.map((v) => v - Math.log(total))), { atol: 1e-5, rtol: 1e-5 });
    checkLayerGradients(new Softmax(), [{ values: new Float32Array(points), shape: [2, 3] }]);
    checkLayerGradients(new LogSoftmax({ axis: 0 }), [{ values: new Float32Array(points), shape: [2, 3] }]);
    expect(new GELU().getConfig()).toMatchObject({ approximate: 'none' });
    expect(() => new GELU({ approximate: 'erf' as 'tanh' })).toThrow(/GELU: approximate/);
  });

  it('leave nothing behind inside tidy', () => {
    const before = memory().tensors;
    tidy(() => {
      new GELU().apply(randomNormal([4, 4], 0, 1, 1));
    });
    expect(memory().tensors).toBe(before);
  });
});
