import { describe, expect, it } from 'vitest';
import { createCpuBackend } from '../cpu-backend.js';
import { randomFloats, randomInts, readValues, ravel, seededRandom, sizeOf, tensorOf, unravel } from '../test-helpers.js';

function naiveSlice(values: ArrayLike<number>, shape: number[], begin: number[], size: number[]): number[] {
  const out = new Array<number>(sizeOf(size));
  for (let index = 0; index < out.length; index++) {
    const coordinates = unravel(index, size).map((c, axis) => c + begin[axis]);
    out[index] = values[ravel(coordinates, shape)];
  }
  return out;
}

describe('cpu slice', () => {
  const backend = createCpuBackend();
  const random = seededRandom(9);

  it('copies boxes of ranks 0 to 4, whole and partial dims mixed', () => {
    const cases: Array<[number[], number[], number[]]> = [
      [[], [], []],
      [[10], [3], [5]],
      [[10], [0], [10]],
      [[4, 50], [1, 0], [2, 50]],
      [[4, 50], [0, 7], [4, 40]],
      [[3, 4, 5], [1, 0, 2], [2, 4, 3]],
      [[3, 4, 5], [0, 1, 0], [3, 2, 5]],
      [[2, 3, 4, 5], [1, 1, 1, 1], [1, 2, 3, 4]],
      [[2, 3, 4, 5], [0, 0, 0, 0], [2, 3, 4, 0]],
    ];
    for (const [shape, begin, size] of cases) {
      const values = randomFloats(sizeOf(shape), random);
      const out = backend.slice(tensorOf(backend, values, shape), begin, size);
      expect(Array.from(readValues(backend, out))).toEqual(naiveSlice(values, shape, begin, size));
    }
  });

  it('keeps int32', () => {
    const values = randomInts(60, random, -9, 9);
    const out = readValues(backend, backend.slice(tensorOf(backend, values, [3, 4, 5]), [1, 1, 0], [2, 2, 5]), 'int32');
    expect(out).toBeInstanceOf(Int32Array);
    expect(Array.from(out)).toEqual(naiveSlice(values, [3, 4, 5], [1, 1, 0], [2, 2, 5]));
  });
});
