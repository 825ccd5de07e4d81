import { describe, expect, it } from 'vitest';
import { createCpuBackend } from '../cpu-backend.js';
import { readValues } from '../test-helpers.js';

describe('cpu fill', () => {
  const backend = createCpuBackend();

  it('fills float32 and int32 tensors of any rank', () => {
    expect(Array.from(readValues(backend, backend.fill([], 2.5, 'float32')))).toEqual([2.5]);
    expect(Array.from(readValues(backend, backend.fill([2, 1, 2], -1, 'float32')))).toEqual([-1, -1, -1, -1]);
    const ints = readValues(backend, backend.fill([3], 7.9, 'int32'), 'int32');
    expect(ints).toBeInstanceOf(Int32Array);
    expect(Array.from(ints)).toEqual([7, 7, 7]);
    expect(readValues(backend, backend.fill([2, 0], 1, 'float32')).length).toBe(0);
  });
});
