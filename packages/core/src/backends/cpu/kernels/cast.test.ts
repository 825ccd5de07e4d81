import { describe, expect, it } from 'vitest';
import { createCpuBackend } from '../cpu-backend.js';
import { readValues, tensorOf } from '../test-helpers.js';

describe('cpu cast', () => {
  const backend = createCpuBackend();

  it('truncates float32 toward zero into int32', () => {
    const x = tensorOf(backend, new Float32Array([1.9, -1.9, 0.5, -0.5, 7, NaN]), [2, 3]);
    const out = readValues(backend, backend.cast(x, 'int32'), 'int32');
    expect(out).toBeInstanceOf(Int32Array);
    expect(Array.from(out)).toEqual([1, -1, 0, 0, 7, 0]);
  });

  it('widens int32 into float32 and copies same-dtype casts into a new buffer', () => {
    const x = tensorOf(backend, new Int32Array([-3, 0, 16777216]), [3]);
    const float = readValues(backend, backend.cast(x, 'float32'));
    expect(float).toBeInstanceOf(Float32Array);
    expect(Array.from(float)).toEqual([-3, 0, 16777216]);
    const copy = backend.cast(x, 'int32');
    expect(copy).not.toBe(x.dataId);
    expect(Array.from(readValues(backend, copy, 'int32'))).toEqual([-3, 0, 16777216]);
  });

  it('saturates out-of-range floats and sends NaN to 0 instead of wrapping', () => {
    const x = tensorOf(backend, new Float32Array([3e10, -3e10, Infinity, -Infinity, NaN, 2147483520, -2147483648]), [7]);
    const out = readValues(backend, backend.cast(x, 'int32'), 'int32');
    expect(Array.from(out)).toEqual([2147483647, -2147483648, 2147483647, -2147483648, 0, 2147483520, -2147483648]);
  });

  it('casts a scalar', () => {
    const x = tensorOf(backend, new Float32Array([-2.5]), []);
    expect(Array.from(readValues(backend, backend.cast(x, 'int32'), 'int32'))).toEqual([-2]);
  });
});
