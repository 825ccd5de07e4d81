import { describe, expect, it } from 'vitest';
import { grad } from '../autograd/grad.js';
import { DendriteError } from '../errors.js';
import { RandomGenerator } from '../random.js';
import { gradCheck } from '../testing/gradcheck.js';
import { tensor } from './creation.js';
import { sum } from './sum.js';
import { topK } from './top-k.js';

/** The reference: sort each row's (value, index) pairs, descending, ties by index. */
function referenceTopK(values: Float32Array, n: number, k: number): { values: number[]; indices: number[] } {
  const outValues: number[] = [];
  const outIndices: number[] = [];
  for (let base = 0; base < values.length; base += n) {
    const order = Array.from({ length: n }, (_, i) => i)
      .sort((a, b) => values[base + b] - values[base + a] || a - b)
      .slice(0, k);
    outIndices.push(...order);
    outValues.push(...order.map((i) => values[base + i]));
  }
  return { values: outValues, indices: outIndices };
}

describe('topK', () => {
  it('picks the k largest of each row, descending, with int32 indices', () => {
    const { values, indices } = topK(tensor([[1, 9, 3, 7], [4, -2, 8, 0]]), 2);
    expect(values.shape).toEqual([2, 2]);
    expect(indices.dtype).toBe('int32');
    expect(values.arraySync()).toEqual([[9, 7], [8, 4]]);
    expect(indices.arraySync()).toEqual([[1, 3], [2, 0]]);
  });

  it('matches a full sort on random rows with many ties, for every k', () => {
    const generator = new RandomGenerator(7);
    const n = 37;
    // Values on a coarse grid: plenty of ties, which must keep the lower index first.
    const values = Float32Array.from({ length: 5 * n }, () => generator.nextInt(9) - 4);
    for (const k of [0, 1, 3, 10, 36, 37]) {
      const result = topK(tensor(values, [5, n]), k);
      const expected = referenceTopK(values, n, k);
      expect(Array.from(result.indices.dataSync())).toEqual(expected.indices);
      expect(Array.from(result.values.dataSync())).toEqual(expected.values);
    }
  });

  it('sorted: false gives the same entries in ascending index order', () => {
    const { values, indices } = topK(tensor([5, 1, 9, 3, 7]), 3, { sorted: false });
    expect(Array.from(indices.dataSync())).toEqual([0, 2, 4]);
    expect(Array.from(values.dataSync())).toEqual([5, 9, 7]);
  });

  it('works on rank 3 and int32 tensors, and ranks NaN as +Infinity', () => {
    const ints = topK(tensor([3, 1, 2, 6, 5, 4], [2, 1, 3], 'int32'), 1);
    expect(ints.values.dtype).toBe('int32');
    expect(ints.values.arraySync()).toEqual([[[3]], [[6]]]);
    const withNaN = topK(tensor([1, NaN, Infinity, 2]), 2);
    expect(Array.from(withNaN.indices.dataSync())).toEqual([1, 2]);
  });

  it('routes the gradient of values to the picked positions', () => {
    const x = tensor([[1, 9, 3, 7], [4, -2, 8, 0]]);
    const [dx] = grad((input) => sum(topK(input, 2).values))(x);
    expect(dx.arraySync()).toEqual([[0, 1, 0, 1], [1, 0, 1, 0]]);
    const generator = new RandomGenerator(3);
    // Distinct, well-separated values: finite differences never cross a tie.
    const distinct = Float32Array.from({ length: 24 }, (_, i) => i * 0.5).sort(() => generator.nextFloat() - 0.5);
    gradCheck((input) => topK(input, 3).values, [{ values: distinct, shape: [2, 3, 4] }]);
  });

  it('refuses k outside [0, n] and a scalar x, naming the op', () => {
    expect(() => topK(tensor([1, 2, 3]), 4)).toThrow(DendriteError);
    expect(() => topK(tensor([1, 2, 3]), 4)).toThrow('topK: k must be an integer in [0, 3] (the last axis of x [3]), got 4');
    expect(() => topK(tensor([1, 2, 3]), -1)).toThrow('topK: k must be an integer');
    expect(() => topK(tensor([1, 2, 3]), 1.5)).toThrow('topK: k must be an integer');
    expect(() => topK(tensor(5), 1)).toThrow('topK: x must have rank >= 1');
  });
});
