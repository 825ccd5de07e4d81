import { describe, expect, it } from 'vitest';
import type { ReduceOp } from '../../../backend/backend.js';
import { createCpuBackend } from '../cpu-backend.js';
import { expectClose, randomFloats, randomInts, readValues, ravel, seededRandom, sizeOf, tensorOf, unravel } from '../test-helpers.js';

function naiveReduce(op: ReduceOp, values: ArrayLike<number>, shape: number[], axes: number[]): number[] {
  const outShape = shape.filter((_, axis) => !axes.includes(axis));
  const out = new Array<number>(sizeOf(outShape)).fill(op === 'sum' ? 0 : op === 'max' ? -Infinity : Infinity);
  for (let index = 0; index < values.length; index++) {
    const coordinates = unravel(index, shape).filter((_, axis) => !axes.includes(axis));
    const target = ravel(coordinates, outShape);
    const value = values[index];
    if (op === 'sum') out[target] += value;
    else if (op === 'max') out[target] = Math.max(out[target], value);
    else out[target] = Math.min(out[target], value);
  }
  return out;
}

const CASES: Array<[number[], number[]]> = [
  [[7], [0]],
  [[3, 4], [0]],
  [[3, 4], [1]],
  [[3, 4], [0, 1]],
  [[2, 3, 4], [1]],
  [[2, 3, 4], [0, 2]],
  [[2, 3, 4, 5], [1, 2]],
  [[2, 3, 4, 5], [0, 3]],
  [[2, 3, 4, 5], [0, 1, 2, 3]],
  [[2, 1, 3, 1, 4], [1, 2, 3]],
  [[2, 1, 3], [1]],
  [[5, 1000], [1]],
  [[1000, 5], [0]],
];

describe('cpu reduce', () => {
  const backend = createCpuBackend();
  const random = seededRandom(4);

  for (const op of ['sum', 'max', 'min'] as const) {
    it(`${op} over leading, trailing, middle and scattered axes`, () => {
      for (const [shape, axes] of CASES) {
        const values = randomFloats(sizeOf(shape), random);
        const out = backend.reduce(op, tensorOf(backend, values, shape), axes);
        expectClose(readValues(backend, out), naiveReduce(op, values, shape, axes), 1e-5, 1e-5);
      }
    });
  }

  it('sums int32 as int32', () => {
    const values = randomInts(24, random, -50, 50);
    const out = readValues(backend, backend.reduce('sum', tensorOf(backend, values, [2, 3, 4]), [0, 2]), 'int32');
    expect(out).toBeInstanceOf(Int32Array);
    expect(Array.from(out)).toEqual(naiveReduce('sum', values, [2, 3, 4], [0, 2]));
  });

  it('lets NaN win max and min', () => {
    const x = tensorOf(backend, new Float32Array([1, NaN, 3, 4, 5, 6]), [2, 3]);
    expect(Array.from(readValues(backend, backend.reduce('max', x, [1])))).toEqual([NaN, 6]);
    expect(Array.from(readValues(backend, backend.reduce('min', x, [0])))).toEqual([1, NaN, 3]);
  });

  it('gives the identity for an empty reduced axis', () => {
    const x = tensorOf(backend, new Float32Array(0), [2, 0]);
    expect(Array.from(readValues(backend, backend.reduce('sum', x, [1])))).toEqual([0, 0]);
    expect(Array.from(readValues(backend, backend.reduce('max', x, [1])))).toEqual([-Infinity, -Infinity]);
  });
});
