import { describe, expect, it } from 'vitest';
import type { Pool2DInfo } from '../../../backend/backend.js';
import { describePoolInfo, naivePool, poolInfoOf as infoOf } from '../conv-test-helpers.js';
import { createCpuBackend } from '../cpu-backend.js';
import { expectClose, randomFloats, randomInts, readValues, seededRandom, tensorOf } from '../test-helpers.js';

describe('cpu pool2d', () => {
  const backend = createCpuBackend();
  const random = seededRandom(15);
  const cases: Pool2DInfo[] = [
    infoOf(1, 4, 4, 1, [2, 2], [2, 2], [0, 0, 0, 0]),
    infoOf(2, 5, 7, 3, [3, 3], [2, 2], [1, 1, 1, 1]),
    infoOf(2, 6, 5, 4, [3, 2], [1, 2], [1, 1, 0, 1]),
    infoOf(1, 7, 7, 2, [3, 3], [1, 1], [1, 1, 1, 1]),
    infoOf(3, 3, 3, 5, [3, 3], [3, 3], [0, 0, 0, 0]),
  ];

  for (const mode of ['max', 'avg'] as const) {
    for (const info of cases) {
      it(`${mode} pool and its gradient: ${describePoolInfo(info)}`, () => {
        // Integer values make ties frequent, so the first-maximal-cell rule is exercised.
        const x = Float32Array.from(randomInts(info.batch * info.inHeight * info.inWidth * info.channels, random, 0, 4));
        const dy = randomFloats(info.batch * info.outHeight * info.outWidth * info.channels, random);
        const expected = naivePool(x, dy, info, mode);
        const xShape = [info.batch, info.inHeight, info.inWidth, info.channels];
        const dyShape = [info.batch, info.outHeight, info.outWidth, info.channels];
        const xTensor = tensorOf(backend, x, xShape);
        expectClose(readValues(backend, backend.pool2d(xTensor, info, mode)), expected.out, 1e-6, 1e-6);
        const dx = backend.pool2dBackward(tensorOf(backend, dy, dyShape), xTensor, info, mode);
        expectClose(readValues(backend, dx), expected.dx, 1e-6, 1e-6);
      });
    }
  }

  it('averages only in-bounds cells at the border', () => {
    const info = infoOf(1, 2, 2, 1, [2, 2], [1, 1], [1, 0, 1, 0]);
    const x = tensorOf(backend, new Float32Array([1, 2, 3, 4]), [1, 2, 2, 1]);
    expect(Array.from(readValues(backend, backend.pool2d(x, info, 'avg')))).toEqual([1, 1.5, 2, 2.5]);
  });
});
