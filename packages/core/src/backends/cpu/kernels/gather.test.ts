import { describe, expect, it } from 'vitest';
import { createCpuBackend } from '../cpu-backend.js';
import { randomFloats, randomInts, readValues, ravel, seededRandom, sizeOf, tensorOf, unravel } from '../test-helpers.js';

function naiveGather(values: ArrayLike<number>, shape: number[], indices: ArrayLike<number>, axis: number): number[] {
  const outShape = [...shape];
  outShape[axis] = indices.length;
  const out = new Array<number>(sizeOf(outShape));
  for (let index = 0; index < out.length; index++) {
    const coordinates = unravel(index, outShape);
    coordinates[axis] = indices[coordinates[axis]];
    out[index] = values[ravel(coordinates, shape)];
  }
  return out;
}

describe('cpu gather', () => {
  const backend = createCpuBackend();
  const random = seededRandom(12);

  it('picks rows along every axis, with repeats', () => {
    for (const shape of [[6], [5, 3], [4, 5, 40], [2, 3, 4, 5]]) {
      for (let axis = 0; axis < shape.length; axis++) {
        const values = randomFloats(sizeOf(shape), random);
        const indices = randomInts(7, random, 0, shape[axis]);
        const out = backend.gather(tensorOf(backend, values, shape), tensorOf(backend, indices, [7]), axis);
        expect(Array.from(readValues(backend, out))).toEqual(naiveGather(values, shape, indices, axis));
      }
    }
  });

  it('keeps int32 and allows no indices', () => {
    const values = randomInts(12, random, -5, 5);
    const x = tensorOf(backend, values, [4, 3]);
    const out = readValues(backend, backend.gather(x, tensorOf(backend, new Int32Array([3, 0]), [2]), 0), 'int32');
    expect(out).toBeInstanceOf(Int32Array);
    expect(Array.from(out)).toEqual(naiveGather(values, [4, 3], [3, 0], 0));
    expect(readValues(backend, backend.gather(x, tensorOf(backend, new Int32Array(0), [0]), 1), 'int32').length).toBe(0);
  });

  it('names an out-of-range index', () => {
    const x = tensorOf(backend, randomFloats(12, random), [4, 3]);
    expect(() => backend.gather(x, tensorOf(backend, new Int32Array([1, 4]), [2]), 0))
      .toThrow('gather: index 4 at position 1 is out of range [0, 4) for axis 0');
    expect(() => backend.gather(x, tensorOf(backend, new Int32Array([-1]), [1]), 1)).toThrow(/index -1/);
  });
});
