import { describe, expect, it } from 'vitest';
import { createCpuBackend } from '../cpu-backend.js';
import {
  expectClose, randomFloats, randomInts, readValues, ravel, seededRandom, sizeOf, tensorOf, unravel,
} from '../test-helpers.js';

function naiveScatterAdd(
  updates: ArrayLike<number>, indices: ArrayLike<number>, axis: number, outShape: number[],
): number[] {
  const updateShape = [...outShape];
  updateShape[axis] = indices.length;
  const out = new Array<number>(sizeOf(outShape)).fill(0);
  for (let index = 0; index < updates.length; index++) {
    const coordinates = unravel(index, updateShape);
    coordinates[axis] = indices[coordinates[axis]];
    out[ravel(coordinates, outShape)] += updates[index];
  }
  return out;
}

describe('cpu scatterAdd', () => {
  const backend = createCpuBackend();
  const random = seededRandom(13);

  it('adds updates back along every axis, accumulating repeated indices', () => {
    for (const outShape of [[6], [5, 3], [4, 5, 6], [2, 3, 4, 5]]) {
      for (let axis = 0; axis < outShape.length; axis++) {
        const indices = randomInts(9, random, 0, outShape[axis]);
        const updateShape = [...outShape];
        updateShape[axis] = indices.length;
        const updates = randomFloats(sizeOf(updateShape), random);
        const out = backend.scatterAdd(tensorOf(backend, updates, updateShape), tensorOf(backend, indices, [9]), axis, outShape);
        expectClose(readValues(backend, out), naiveScatterAdd(updates, indices, axis, outShape), 1e-6, 1e-6);
      }
    }
  });

  it('keeps int32 and names an out-of-range index', () => {
    const updates = tensorOf(backend, new Int32Array([1, 2, 3]), [3]);
    const indices = tensorOf(backend, new Int32Array([2, 0, 2]), [3]);
    const out = readValues(backend, backend.scatterAdd(updates, indices, 0, [4]), 'int32');
    expect(out).toBeInstanceOf(Int32Array);
    expect(Array.from(out)).toEqual([2, 0, 4, 0]);
    expect(() => backend.scatterAdd(updates, indices, 0, [2])).toThrow(/scatterAdd: index 2 at position 0/);
  });
});
