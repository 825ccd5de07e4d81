import { describe, expect, it } from 'vitest';
import { BINARY_OPS } from '../../../backend/backend.js';
import { createCpuBackend } from '../cpu-backend.js';
import {
  BINARY_REFERENCE, broadcastIndex, broadcastShapes, expectClose, randomFloats, randomInts, readValues, seededRandom, sizeOf,
  tensorOf, unravel,
} from '../test-helpers.js';


function naiveBinary(
  op: (a: number, b: number) => number, a: ArrayLike<number>, aShape: number[], b: ArrayLike<number>, bShape: number[],
): { values: number[]; shape: number[] } {
  const shape = broadcastShapes(aShape, bShape);
  const values: number[] = [];
  for (let index = 0; index < sizeOf(shape); index++) {
    const coordinates = unravel(index, shape);
    values.push(op(a[broadcastIndex(coordinates, aShape)], b[broadcastIndex(coordinates, bShape)]));
  }
  return { values, shape };
}

const SHAPE_PAIRS: Array<[number[], number[]]> = [
  [[], []],
  [[6], [6]],
  [[3, 4], [3, 4]],
  [[2, 3], []],
  [[], [2, 3]],
  [[5, 3], [3]],
  [[3], [5, 3]],
  [[4, 1], [1, 5]],
  [[4, 1], [4, 6]],
  [[2, 1, 3, 4], [3, 1]],
  [[2, 3, 4, 5], [2, 1, 4, 1]],
  [[1, 3, 1, 5], [2, 1, 4, 1]],
  [[2, 3, 4, 5], [2, 3, 4, 5]],
];

describe('cpu binary', () => {
  const backend = createCpuBackend();
  const random = seededRandom(2);

  for (const op of BINARY_OPS) {
    it(`${op} broadcasts like NumPy`, () => {
      for (const [aShape, bShape] of SHAPE_PAIRS) {
        // Small integers make the comparisons hit equality too; pow gets a positive base.
        const a = op === 'pow' ? randomFloats(sizeOf(aShape), random, 0.1, 3) : randomInts(sizeOf(aShape), random, -3, 4);
        const b = op === 'pow' ? randomFloats(sizeOf(bShape), random, -2, 2) : randomInts(sizeOf(bShape), random, -3, 4);
        const aFloat = Float32Array.from(a);
        const bFloat = Float32Array.from(b);
        const expected = naiveBinary(BINARY_REFERENCE[op], aFloat, aShape, bFloat, bShape);
        const out = backend.binary(op, tensorOf(backend, aFloat, aShape), tensorOf(backend, bFloat, bShape),
          expected.shape, 'float32');
        expectClose(readValues(backend, out), Float32Array.from(expected.values), 1e-6, 1e-6);
      }
    });
  }

  it('keeps int32 arithmetic in int32: wrap-around product and floor division', () => {
    const a = new Int32Array([7, -7, 7, -7, 65536, 5]);
    const b = new Int32Array([2, 2, -2, -2, 65536, 0]);
    const at = tensorOf(backend, a, [6]);
    const bt = tensorOf(backend, b, [6]);
    const div = readValues(backend, backend.binary('div', at, bt, [6], 'int32'), 'int32');
    expect(div).toBeInstanceOf(Int32Array);
    expect(Array.from(div)).toEqual([3, -4, -4, 3, 1, 0]);
    const mul = readValues(backend, backend.binary('mul', at, bt, [6], 'int32'), 'int32');
    expect(Array.from(mul)).toEqual([14, -14, -14, 14, 0, 0]);
    const add = readValues(backend, backend.binary('add', at, bt, [6], 'int32'), 'int32');
    expect(Array.from(add)).toEqual([9, -5, 5, -9, 131072, 5]);
  });

  it('broadcasts a row vector over int32 rows (the bias-add path) with int32 arithmetic', () => {
    const a = tensorOf(backend, new Int32Array([1, 2, 3, 4, 5, 6, 2147483647, -8]), [4, 2]);
    const b = tensorOf(backend, new Int32Array([10, -3]), [2]);
    expect(Array.from(readValues(backend, backend.binary('add', a, b, [4, 2], 'int32'), 'int32')))
      .toEqual([11, -1, 13, 1, 15, 3, -2147483639, -11]);
    expect(Array.from(readValues(backend, backend.binary('mul', a, b, [4, 2], 'int32'), 'int32')))
      .toEqual([10, -6, 30, -12, 50, -18, -10, 24]);
    expect(Array.from(readValues(backend, backend.binary('maximum', a, b, [4, 2], 'int32'), 'int32')))
      .toEqual([10, 2, 10, 4, 10, 6, 2147483647, -3]);
  });

  it('gives float32 0/1 for comparisons of int32 tensors', () => {
    const a = tensorOf(backend, new Int32Array([1, 2, 3]), [3]);
    const b = tensorOf(backend, new Int32Array([2]), [1]);
    const out = readValues(backend, backend.binary('less', a, b, [3], 'float32'));
    expect(out).toBeInstanceOf(Float32Array);
    expect(Array.from(out)).toEqual([1, 0, 0]);
  });

  it('propagates NaN through maximum and minimum', () => {
    const a = tensorOf(backend, new Float32Array([NaN, 1]), [2]);
    const b = tensorOf(backend, new Float32Array([0, NaN]), [2]);
    expect(Array.from(readValues(backend, backend.binary('maximum', a, b, [2], 'float32')))).toEqual([NaN, NaN]);
  });
});
