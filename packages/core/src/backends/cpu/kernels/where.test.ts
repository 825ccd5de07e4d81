import { describe, it } from 'vitest';
import { createCpuBackend } from '../cpu-backend.js';
import {
  broadcastIndex, broadcastShapes, expectClose, randomFloats, randomInts, readValues, seededRandom, sizeOf,
  tensorOf, unravel,
} from '../test-helpers.js';

describe('cpu where', () => {
  const backend = createCpuBackend();
  const random = seededRandom(3);

  it('selects with all three operands broadcast', () => {
    const cases: Array<[number[], number[], number[]]> = [
      [[], [], []],
      [[5], [5], [5]],
      [[3, 1], [1, 4], [4]],
      [[2, 3, 4, 5], [], [5]],
      [[4], [2, 3, 4], [3, 1]],
    ];
    for (const [conditionShape, aShape, bShape] of cases) {
      const shape = broadcastShapes(broadcastShapes(conditionShape, aShape), bShape);
      const condition = Float32Array.from(randomInts(sizeOf(conditionShape), random, 0, 2));
      const a = randomFloats(sizeOf(aShape), random);
      const b = randomFloats(sizeOf(bShape), random);
      const expected = new Float32Array(sizeOf(shape));
      for (let index = 0; index < expected.length; index++) {
        const coordinates = unravel(index, shape);
        expected[index] = condition[broadcastIndex(coordinates, conditionShape)] !== 0
          ? a[broadcastIndex(coordinates, aShape)] : b[broadcastIndex(coordinates, bShape)];
      }
      const out = backend.where(tensorOf(backend, condition, conditionShape), tensorOf(backend, a, aShape),
        tensorOf(backend, b, bShape), shape);
      expectClose(readValues(backend, out), expected, 0, 0);
    }
  });

  it('keeps int32 values int32', () => {
    const out = backend.where(tensorOf(backend, new Float32Array([1, 0, 2]), [3]),
      tensorOf(backend, new Int32Array([1, 2, 3]), [3]), tensorOf(backend, new Int32Array([-1]), [1]), [3]);
    expectClose(readValues(backend, out, 'int32'), [1, -1, 3], 0, 0);
  });
});
