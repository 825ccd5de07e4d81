import { describe, expect, it } from 'vitest';
import { createCpuBackend } from '../cpu-backend.js';
import { expectClose, naiveMatmul, randomFloats, readValues, seededRandom, sizeOf, tensorOf } from '../test-helpers.js';

function operandShape(batch: number[], rows: number, cols: number, transpose: boolean): number[] {
  return transpose ? [...batch, cols, rows] : [...batch, rows, cols];
}

describe('cpu matmul', () => {
  const backend = createCpuBackend();
  const random = seededRandom(6);

  const sizes: Array<[number, number, number]> = [
    [1, 1, 1], [2, 3, 4], [1, 7, 5], [5, 7, 1], [3, 9, 2], [4, 4, 4], [13, 17, 9], [33, 8, 130], [70, 600, 131],
  ];
  for (const [m, k, n] of sizes) {
    it(`${m}x${k} @ ${k}x${n} in all four transpose combinations`, () => {
      for (const transposeA of [false, true]) {
        for (const transposeB of [false, true]) {
          const aShape = operandShape([], m, k, transposeA);
          const bShape = operandShape([], k, n, transposeB);
          const a = randomFloats(m * k, random);
          const b = randomFloats(k * n, random);
          const expected = naiveMatmul(a, aShape, b, bShape, transposeA, transposeB);
          const out = backend.matmul(tensorOf(backend, a, aShape), tensorOf(backend, b, bShape),
            transposeA, transposeB, expected.shape);
          expectClose(readValues(backend, out), expected.values, 1e-4, 1e-4);
        }
      }
    });
  }

  it('agrees with the naive product on 60 random small shapes (every tile edge case)', () => {
    for (let trial = 0; trial < 60; trial++) {
      const [m, k, n] = [1 + Math.floor(random() * 11), 1 + Math.floor(random() * 11), 1 + Math.floor(random() * 11)];
      const transposeA = random() < 0.5;
      const transposeB = random() < 0.5;
      const aShape = operandShape([], m, k, transposeA);
      const bShape = operandShape([], k, n, transposeB);
      const a = randomFloats(m * k, random);
      const b = randomFloats(k * n, random);
      const expected = naiveMatmul(a, aShape, b, bShape, transposeA, transposeB);
      const out = backend.matmul(tensorOf(backend, a, aShape), tensorOf(backend, b, bShape),
        transposeA, transposeB, expected.shape);
      expectClose(readValues(backend, out), expected.values, 1e-5, 1e-5);
    }
  });

  it('broadcasts batch dims (including a shared B and a shared A)', () => {
    const cases: Array<[number[], number[], number, number, number]> = [
      [[3], [3], 4, 5, 6],
      [[3], [1], 6, 5, 7],
      [[1], [3], 6, 5, 7],
      [[2, 1], [1, 3], 5, 4, 3],
      [[2, 3], [2, 3], 2, 9, 4],
      [[4, 1, 2], [1, 3, 1], 8, 3, 5],
    ];
    for (const [aBatch, bBatch, m, k, n] of cases) {
      for (const transposeA of [false, true]) {
        for (const transposeB of [false, true]) {
          const aShape = operandShape(aBatch, m, k, transposeA);
          const bShape = operandShape(bBatch, k, n, transposeB);
          const a = randomFloats(sizeOf(aShape), random);
          const b = randomFloats(sizeOf(bShape), random);
          const expected = naiveMatmul(a, aShape, b, bShape, transposeA, transposeB);
          const out = backend.matmul(tensorOf(backend, a, aShape), tensorOf(backend, b, bShape),
            transposeA, transposeB, expected.shape);
          expectClose(readValues(backend, out), expected.values, 1e-5, 1e-5);
        }
      }
    }
  });

  it('gives zeros when the inner dimension is 0, and an empty result for an empty outer one', () => {
    const zeroK = backend.matmul(tensorOf(backend, new Float32Array(0), [3, 0]),
      tensorOf(backend, new Float32Array(0), [0, 2]), false, false, [3, 2]);
    expect(Array.from(readValues(backend, zeroK))).toEqual([0, 0, 0, 0, 0, 0]);
    const empty = backend.matmul(tensorOf(backend, new Float32Array(0), [0, 4]),
      tensorOf(backend, randomFloats(8, random), [4, 2]), false, false, [0, 2]);
    expect(readValues(backend, empty).length).toBe(0);
  });

  it('multiplies int32 matrices into int32', () => {
    const a = tensorOf(backend, new Int32Array([1, 2, 3, 4]), [2, 2]);
    const out = readValues(backend, backend.matmul(a, a, false, false, [2, 2]), 'int32');
    expect(out).toBeInstanceOf(Int32Array);
    expect(Array.from(out)).toEqual([7, 10, 15, 22]);
  });
});
