import { describe, expect, it } from 'vitest';
import { createCpuBackend } from '../cpu-backend.js';
import { randomInts, readValues, ravel, seededRandom, sizeOf, tensorOf, unravel } from '../test-helpers.js';

function naiveArgReduce(isMax: boolean, values: ArrayLike<number>, shape: number[], axis: number): number[] {
  const outShape = shape.filter((_, index) => index !== axis);
  const best = new Array<number>(sizeOf(outShape)).fill(NaN);
  const where = new Array<number>(sizeOf(outShape)).fill(-1);
  for (let index = 0; index < values.length; index++) {
    const coordinates = unravel(index, shape);
    const target = ravel(coordinates.filter((_, a) => a !== axis), outShape);
    const value = values[index];
    // Row-major order visits the positions along `axis` in increasing order, so strict `>` keeps the first tie.
    if (where[target] < 0 || (isMax ? value > best[target] : value < best[target])) {
      best[target] = value;
      where[target] = coordinates[axis];
    }
  }
  return where;
}

describe('cpu argReduce', () => {
  const backend = createCpuBackend();
  const random = seededRandom(5);

  it('finds the first max and min along any axis (ties included)', () => {
    for (const shape of [[9], [4, 5], [2, 3, 4], [2, 3, 4, 5]]) {
      for (let axis = 0; axis < shape.length; axis++) {
        // Few distinct values, so ties are common.
        const values = Float32Array.from(randomInts(sizeOf(shape), random, 0, 3));
        const x = tensorOf(backend, values, shape);
        for (const op of ['argmax', 'argmin'] as const) {
          const out = readValues(backend, backend.argReduce(op, x, axis), 'int32');
          expect(out).toBeInstanceOf(Int32Array);
          expect(Array.from(out)).toEqual(naiveArgReduce(op === 'argmax', values, shape, axis));
        }
      }
    }
  });

  it('works on int32 input and a rank-1 tensor giving a scalar', () => {
    const x = tensorOf(backend, new Int32Array([3, 9, 9, -1]), [4]);
    expect(Array.from(readValues(backend, backend.argReduce('argmax', x, 0), 'int32'))).toEqual([1]);
    expect(Array.from(readValues(backend, backend.argReduce('argmin', x, 0), 'int32'))).toEqual([3]);
  });
});
