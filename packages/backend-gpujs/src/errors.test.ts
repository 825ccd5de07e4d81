import { DendriteError } from '@dendrite/core';
import { describe, expect, it } from 'vitest';
import { createGpuBackend } from './index.js';

/** The error `run` throws (it must throw). */
function thrown(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    return error;
  }
  throw new Error('expected an error');
}

// Like the CPU backend, every error this backend raises for bad input or a misuse is a DendriteError
// (callers catch one type), with a message naming what went wrong.
describe('gpu backend errors are DendriteErrors', () => {
  it('for bad uploads, foreign or freed buffers, empty inputs, an unavailable mode and a destroyed backend', async () => {
    const backend = await createGpuBackend({ mode: 'cpu' });
    const info = (dataId: object, shape: number[]) => ({ dataId, shape, dtype: 'float32' as const });
    const cases: Array<[string, () => unknown, RegExp]> = [
      ['upload size', () => backend.upload(new Float32Array(3), [2, 2], 'float32'), /upload of shape \[2, 2\] needs 4 values, got 3/],
      ['int32 beyond 2^24', () => backend.upload(Int32Array.of(2 ** 25), [1], 'int32'), /int32 value 33554432 at index 0 is beyond ±2\^24/],
      ['foreign buffer', () => backend.readSync!({}, 'float32'), /is not a buffer of this backend/],
      ['concat of nothing', () => backend.concat([], 0), /concat needs at least one input/],
    ];
    const freed = backend.upload(new Float32Array(4), [4], 'float32');
    backend.dispose(freed);
    cases.push(['freed buffer', () => backend.readSync!(freed, 'float32'), /was already disposed/]);
    const empty = backend.upload(new Float32Array(0), [2, 0], 'float32');
    cases.push(['argmax over nothing', () => backend.argReduce('argmax', info(empty, [2, 0]), 1), /argmax along axis 1 of shape \[2, 0\] has nothing to pick from/]);
    for (const [name, run, message] of cases) {
      const error = thrown(run);
      expect(error, name).toBeInstanceOf(DendriteError);
      expect((error as Error).message, name).toMatch(message);
    }
    backend.dispose(empty);
    await backend.destroy();
    const afterDestroy = thrown(() => backend.upload(new Float32Array(1), [1], 'float32'));
    expect(afterDestroy).toBeInstanceOf(DendriteError);
    expect((afterDestroy as Error).message).toMatch(/the backend was destroyed; create a new backend/);
    await expect(createGpuBackend({ mode: 'webgl2' })).rejects.toBeInstanceOf(DendriteError);
  });
});
