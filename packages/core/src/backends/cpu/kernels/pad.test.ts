import { describe, expect, it } from 'vitest';
import { createCpuBackend } from '../cpu-backend.js';
import { randomFloats, randomInts, readValues, ravel, seededRandom, sizeOf, tensorOf, unravel } from '../test-helpers.js';

function naivePad(values: ArrayLike<number>, shape: number[], paddings: Array<[number, number]>, value: number): number[] {
  const outShape = shape.map((size, axis) => paddings[axis][0] + size + paddings[axis][1]);
  const out = new Array<number>(sizeOf(outShape));
  for (let index = 0; index < out.length; index++) {
    const coordinates = unravel(index, outShape).map((c, axis) => c - paddings[axis][0]);
    const inside = coordinates.every((c, axis) => c >= 0 && c < shape[axis]);
    out[index] = inside ? values[ravel(coordinates, shape)] : value;
  }
  return out;
}

describe('cpu pad', () => {
  const backend = createCpuBackend();
  const random = seededRandom(10);

  it('pads any rank with a constant', () => {
    const cases: Array<[number[], Array<[number, number]>]> = [
      [[], []],
      [[4], [[2, 3]]],
      [[4], [[0, 0]]],
      [[3, 5], [[1, 0], [0, 2]]],
      [[2, 5, 5, 3], [[0, 0], [1, 1], [2, 1], [0, 0]]],
      [[2, 3, 4, 2], [[1, 1], [0, 0], [0, 0], [1, 0]]],
      [[0, 3], [[1, 1], [1, 1]]],
    ];
    for (const [shape, paddings] of cases) {
      const values = randomFloats(sizeOf(shape), random);
      const out = backend.pad(tensorOf(backend, values, shape), paddings, -7.5);
      expect(Array.from(readValues(backend, out))).toEqual(naivePad(values, shape, paddings, -7.5));
    }
  });

  it('keeps int32', () => {
    const values = randomInts(6, random, -9, 9);
    const out = readValues(backend, backend.pad(tensorOf(backend, values, [2, 3]), [[1, 0], [0, 1]], 4), 'int32');
    expect(out).toBeInstanceOf(Int32Array);
    expect(Array.from(out)).toEqual(naivePad(values, [2, 3], [[1, 0], [0, 1]], 4));
  });
});
