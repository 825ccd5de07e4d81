import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Pool2DInfo } from '../../../backend/backend.js';
import { describePoolInfo, naivePool, poolInfoOf } from '../conv-test-helpers.js';
import { createCpuBackend } from '../cpu-backend.js';
import { expectClose, expectSameBits, randomFloats, randomInts, readValues, seededRandom, tensorOf } from '../test-helpers.js';
import { createWasmAccelerator, type WasmAccelerator } from './index.js';

const CASES: Pool2DInfo[] = [
  // The issue-3 CNN's pools (fewer images): 4 and 2 vectors of channels.
  poolInfoOf(3, 28, 28, 8, [2, 2], [2, 2], [0, 0, 0, 0]),
  poolInfoOf(3, 14, 14, 16, [2, 2], [2, 2], [0, 0, 0, 0]),
  // Channel counts with a scalar tail, overlapping windows, padding, ragged edges.
  poolInfoOf(2, 5, 7, 3, [3, 3], [2, 2], [1, 1, 1, 1]),
  poolInfoOf(2, 6, 5, 5, [3, 2], [1, 2], [1, 1, 0, 1]),
  poolInfoOf(1, 7, 7, 1, [3, 3], [1, 1], [1, 1, 1, 1]),
  poolInfoOf(3, 3, 3, 4, [3, 3], [3, 3], [0, 0, 0, 0]),
  poolInfoOf(2, 9, 10, 6, [2, 3], [2, 1], [0, 1, 2, 0]),
  // Windows that lie entirely in the padding give 0.
  poolInfoOf(1, 2, 2, 4, [1, 1], [2, 2], [1, 1, 1, 1]),
];

/** Integer values (frequent ties) with NaN and -Infinity sprinkled in. */
function poolInput(length: number, seed: number): Float32Array {
  const random = seededRandom(seed);
  const values = Float32Array.from(randomInts(length, random, 0, 4));
  for (let i = 0; i < length; i += 37) values[i] = Number.NaN;
  for (let i = 5; i < length; i += 41) values[i] = -Infinity;
  return values;
}

describe('wasm pooling', () => {
  let single: WasmAccelerator;
  let threaded: WasmAccelerator;
  let unshared: WasmAccelerator;
  const reference = createCpuBackend();

  beforeAll(async () => {
    single = await createWasmAccelerator({ threads: 1 });
    threaded = await createWasmAccelerator({ threads: 2 });
    unshared = await createWasmAccelerator({ sharedMemory: false });
  });
  afterAll(() => {
    single.dispose();
    threaded.dispose();
    unshared.dispose();
  });

  for (const mode of ['max', 'avg'] as const) {
    CASES.forEach((info, index) => {
      it(`${mode}: the TypeScript kernel's bits, threads on and off: ${describePoolInfo(info)}`, () => {
        const xShape = [info.batch, info.inHeight, info.inWidth, info.channels];
        const dyShape = [info.batch, info.outHeight, info.outWidth, info.channels];
        const x = poolInput(xShape.reduce((a, b) => a * b), 60 + index);
        const dy = randomFloats(dyShape.reduce((a, b) => a * b), seededRandom(80 + index));
        const xTensor = tensorOf(reference, x, xShape);
        const expectedOut = readValues(reference, reference.pool2d(xTensor, info, mode));
        const expectedDx = readValues(reference, reference.pool2dBackward(tensorOf(reference, dy, dyShape), xTensor, info, mode));
        // The reference itself against the definition (NaN windows aside, where the definition is the kernel's rule).
        const naive = naivePool(x, dy, info, mode);
        expectClose(expectedOut, naive.out, 1e-6, 1e-6);
        expectClose(expectedDx, naive.dx, 1e-6, 1e-6);
        for (const [variant, accelerator] of [single, threaded, unshared].entries()) {
          const inside = accelerator !== unshared && variant % 2 === 0;
          const xPlaced = inside ? accelerator.allocate!(x.length) : new Float32Array(x.length);
          xPlaced.set(x);
          const out = new Float32Array(expectedOut.length);
          // Stale values in dx must not leak into the gradient.
          const dx = new Float32Array(x.length).fill(7);
          expect(accelerator.pool2d!(xPlaced, out, info, mode)).toBe(true);
          expectSameBits(out, expectedOut);
          expect(accelerator.pool2dBackward!(dy, xPlaced, dx, info, mode)).toBe(true);
          expectSameBits(dx, expectedDx);
        }
      });
    });
  }

  // -0 and NaN gradients come out as the reference's zero-fill-then-add gives them (0 + -0 is +0).
  it('max gradient of tiling windows: the reference\'s bits for -0, NaN and ties, on one thread and two', () => {
    for (const info of [poolInfoOf(5, 6, 9, 8, [3, 3], [3, 3], [0, 0, 0, 0]), poolInfoOf(4, 28, 28, 8, [2, 2], [2, 2], [0, 0, 0, 0])]) {
      const xShape = [info.batch, info.inHeight, info.inWidth, info.channels];
      const dyShape = [info.batch, info.outHeight, info.outWidth, info.channels];
      const x = poolInput(xShape.reduce((a, b) => a * b), 7);
      const dy = randomFloats(dyShape.reduce((a, b) => a * b), seededRandom(8));
      for (let i = 0; i < dy.length; i += 3) dy[i] = -0;
      for (let i = 1; i < dy.length; i += 29) dy[i] = Number.NaN;
      const expected = readValues(reference, reference.pool2dBackward(tensorOf(reference, dy, dyShape), tensorOf(reference, x, xShape), info, 'max'));
      expect(Array.from(expected).some((value) => Object.is(value, -0))).toBe(false);
      for (const accelerator of [single, threaded]) {
        const dx = accelerator.allocate!(x.length).fill(7);
        expect(accelerator.pool2dBackward!(dy, x, dx, info, 'max')).toBe(true);
        expectSameBits(dx, expected);
        accelerator.free!(dx);
      }
    }
  });

  it('declines an empty batch and an output that overlaps the input', () => {
    const info = poolInfoOf(1, 4, 4, 4, [2, 2], [2, 2], [0, 0, 0, 0]);
    expect(threaded.pool2d!(new Float32Array(0), new Float32Array(0), { ...info, batch: 0 }, 'max')).toBe(false);
    const shared = threaded.allocate!(64 + 16);
    expect(threaded.pool2d!(shared.subarray(0, 64), shared.subarray(60, 76), info, 'max')).toBe(false);
  });
});
