import { describe, expect, it } from 'vitest';
import { createCpuBackend } from '../cpu-backend.js';
import { randomFloats, randomInts, readValues, ravel, seededRandom, sizeOf, tensorOf, unravel } from '../test-helpers.js';

function naiveTranspose(values: ArrayLike<number>, shape: number[], perm: number[]): number[] {
  const outShape = perm.map((axis) => shape[axis]);
  const out = new Array<number>(values.length);
  for (let index = 0; index < out.length; index++) {
    const outCoordinates = unravel(index, outShape);
    const inCoordinates = new Array<number>(shape.length);
    perm.forEach((axis, position) => { inCoordinates[axis] = outCoordinates[position]; });
    out[index] = values[ravel(inCoordinates, shape)];
  }
  return out;
}

function shuffled(length: number, random: () => number): number[] {
  const perm = Array.from({ length }, (_, i) => i);
  for (let i = length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [perm[i], perm[j]] = [perm[j], perm[i]];
  }
  return perm;
}

describe('cpu transpose', () => {
  const backend = createCpuBackend();
  const random = seededRandom(8);

  it('permutes every axis order of ranks 0 to 5, size-1 dims included', () => {
    const shapes = [[], [5], [3, 4], [40, 33], [2, 3, 4], [3, 1, 4], [2, 3, 4, 5], [2, 1, 3, 1, 4], [2, 3, 2, 3, 2]];
    for (const shape of shapes) {
      for (let trial = 0; trial < 6; trial++) {
        const perm = shuffled(shape.length, random);
        const values = randomFloats(sizeOf(shape), random);
        const out = backend.transpose(tensorOf(backend, values, shape), perm);
        expect(Array.from(readValues(backend, out))).toEqual(naiveTranspose(values, shape, perm));
      }
    }
  });

  it('transposes batches of matrices and keeps int32', () => {
    const shape = [3, 37, 41];
    const values = randomInts(sizeOf(shape), random, -100, 100);
    const out = readValues(backend, backend.transpose(tensorOf(backend, values, shape), [0, 2, 1]), 'int32');
    expect(out).toBeInstanceOf(Int32Array);
    expect(Array.from(out)).toEqual(naiveTranspose(values, shape, [0, 2, 1]));
  });
});
