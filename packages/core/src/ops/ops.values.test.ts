import { describe, expect, it } from 'vitest';
import * as ops from './index.js';
import { expectClose } from '../testing/expect-close.js';
import { DendriteError } from '../errors.js';
import { setSeed } from '../random.js';

const { tensor } = ops;

describe('ops against known values', () => {
  it('broadcasting add and errors that name shapes', () => {
    expect(ops.add(tensor([[1, 2], [3, 4]]), tensor([10, 20])).arraySync()).toEqual([[11, 22], [13, 24]]);
    expect(() => ops.add(tensor([[1, 2, 3]]), tensor([1, 2]))).toThrow(DendriteError);
    expect(() => ops.add(tensor([[1, 2, 3]]), tensor([1, 2]))).toThrow('add: shapes [1, 3] and [2] cannot be broadcast together');
  });

  it('matmul', () => {
    expect(ops.matmul(tensor([[1, 2], [3, 4]]), tensor([[5, 6], [7, 8]])).arraySync()).toEqual([[19, 22], [43, 50]]);
    expect(() => ops.matmul(tensor([[1, 2, 3]]), tensor([[1, 2]]))).toThrow('matmul: inner dimensions differ: [1, 3] @ [1, 2] (3 vs 1)');
  });

  it('softmax rows sum to one, even for huge logits', () => {
    const probabilities = ops.softmax(tensor([[1, 2, 3], [1000, 1000, -1000]]));
    expectClose(probabilities.dataSync(), [0.09003057, 0.24472847, 0.66524096, 0.5, 0.5, 0], { atol: 1e-6 });
    const loss = ops.softmaxCrossEntropy(tensor([[1000, 0]]), tensor([1], [1], 'int32'));
    expectClose(loss.dataSync(), [1000]);
  });

  it('conv2d of a hand example', () => {
    const x = tensor([1, 2, 3, 4, 5, 6, 7, 8, 9], [1, 3, 3, 1]);
    const w = tensor([1, 0, 0, -1], [2, 2, 1, 1]);
    expect(Array.from(ops.conv2d(x, w).dataSync())).toEqual([-4, -4, -4, -4]);
    expect(ops.conv2d(x, w, { padding: 'same' }).shape).toEqual([1, 3, 3, 1]);
    expect(() => ops.conv2d(x, tensor(new Float32Array(8), [2, 2, 2, 1]))).toThrow('conv2d: input has 1 channels but the filter expects 2');
  });

  it('pooling, gather, oneHot, argmax', () => {
    const x = tensor([1, 5, 3, 2, 4, 8, 6, 7, 0, 9, 1, 1, 2, 3, 4, 5], [1, 4, 4, 1]);
    expect(Array.from(ops.maxPool2d(x, 2).dataSync())).toEqual([8, 7, 9, 5]);
    expect(Array.from(ops.avgPool2d(x, 2).dataSync())).toEqual([4.5, 4.5, 3.5, 2.75]);
    const table = tensor([[0, 1], [10, 11], [20, 21]]);
    expect(ops.gather(table, tensor([[2, 0]], [1, 2], 'int32')).arraySync()).toEqual([[[20, 21], [0, 1]]]);
    expect(ops.oneHot(tensor([0, 2], [2], 'int32'), 3).arraySync()).toEqual([[1, 0, 0], [0, 0, 1]]);
    expect(Array.from(ops.argmax(tensor([[1, 3, 3], [4, 0, 2]])).dataSync())).toEqual([1, 0]);
  });

  it('reductions, shape ops and their errors', () => {
    const x = tensor([[1, 2, 3], [4, 5, 6]]);
    expect(Array.from(ops.sum(x, 0).dataSync())).toEqual([5, 7, 9]);
    expect(ops.mean(x, 1, true).arraySync()).toEqual([[2], [5]]);
    expect(ops.transpose(x).arraySync()).toEqual([[1, 4], [2, 5], [3, 6]]);
    expect(ops.concat([x, x], 0).shape).toEqual([4, 3]);
    expect(ops.slice(x, [0, 1], [2, 2]).arraySync()).toEqual([[2, 3], [5, 6]]);
    expect(() => ops.reshape(x, [4, 2])).toThrow('reshape: cannot reshape [2, 3] (6 elements) into [4, 2]');
    expect(() => ops.sum(x, 2)).toThrow('sum: axis 2 is out of range for a tensor of rank 2');
    expect(() => ops.tensor([[1, 2], [3]])).toThrow(/ragged/);
  });

  it('names bad geometry, shapes and axes instead of failing inside a kernel', () => {
    const x = ops.zeros([1, 4, 4, 1]);
    expect(() => ops.maxPool2d(x, 2, { stride: 0 })).toThrow('maxPool2d: window 2, stride 0 and dilation 1 must be positive integers');
    expect(() => ops.avgPool2d(x, 0)).toThrow(/avgPool2d: window 0, stride 0 .* must be positive integers/);
    expect(() => ops.conv2d(x, ops.zeros([2, 2, 1, 1]), { dilation: 0 })).toThrow(/conv2d: .* dilation 0 must be positive integers/);
    expect(() => ops.truncatedNormal([-1])).toThrow('truncatedNormal: invalid shape [-1]');
    expect(() => ops.bernoulli([-2], 0.5)).toThrow('bernoulli: invalid shape [-2]');
    expect(() => ops.randomPermutation(-1)).toThrow('randomPermutation: n must be a non-negative integer, got -1');
    expect(() => ops.split(ops.zeros([4]), 2, 3)).toThrow('split: axis 3 is out of range for a tensor of rank 1');
  });

  it('moments matches mean and variance, with and without kept dims', () => {
    const x = tensor([[1, 2, 4], [3, 5, 9]]);
    for (const keepDims of [false, true]) {
      const { mean, variance } = ops.moments(x, 1, keepDims);
      expect(mean.shape).toEqual(keepDims ? [2, 1] : [2]);
      expect(variance.shape).toEqual(mean.shape);
      expectClose(mean.dataSync(), [7 / 3, 17 / 3]);
      expectClose(variance.dataSync(), [14 / 9, 56 / 9]);
    }
  });

  it('seeded random ops repeat with the same seed', () => {
    const a = ops.randomNormal([5], 0, 1, 123).dataSync();
    const b = ops.randomNormal([5], 0, 1, 123).dataSync();
    expect(Array.from(a)).toEqual(Array.from(b));
    setSeed(9);
    const c = ops.randomUniform([4]).dataSync();
    setSeed(9);
    expect(Array.from(ops.randomUniform([4]).dataSync())).toEqual(Array.from(c));
    const mask = ops.bernoulli([10000], 0.3, 5).dataSync();
    const rate = Array.from(mask).reduce((s, v) => s + v, 0) / 10000;
    expect(Math.abs(rate - 0.3)).toBeLessThan(0.02);
    const normal = ops.randomNormal([20000], 2, 3, 11);
    expect(Math.abs(ops.mean(normal).dataSync()[0] - 2)).toBeLessThan(0.08);
    expect(Math.abs(Math.sqrt(ops.variance(normal).dataSync()[0]) - 3)).toBeLessThan(0.08);
  });

  it('async reads', async () => {
    const x = tensor([[1, 2], [3, 4]]);
    expect(await x.array()).toEqual([[1, 2], [3, 4]]);
    expect(Array.from(await x.data())).toEqual([1, 2, 3, 4]);
    expect(await ops.sum(x).item()).toBe(10);
  });
});
