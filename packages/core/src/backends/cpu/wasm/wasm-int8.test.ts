import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { plainKernelContext } from '../kernel-context.js';
import { int8Linear } from '../kernels/int8-linear.js';
import { randomValues } from '../../../testing/kernel-checks.js';
import { createWasmAccelerator, type WasmAccelerator } from './index.js';

function randomInt8(length: number, seed: number): Int32Array {
  return Int32Array.from(randomValues(length, seed), (value) => Math.max(-127, Math.round(value * 127)));
}

/** The reference kernel (the accelerator is absent from a plain context). */
function reference(
  x: Float32Array, weights: Int32Array, scales: Float32Array, bias: Float32Array | null, m: number, n: number, k: number,
  inputScale: number, relu: boolean,
): Float32Array {
  const tensor = <T extends Float32Array | Int32Array>(values: T, shape: number[]) => ({ values, shape, dtype: values instanceof Int32Array ? 'int32' as const : 'float32' as const });
  return int8Linear(plainKernelContext(), tensor(x, [m, k]), tensor(weights, [n, k]), tensor(scales, [n]),
    bias === null ? null : tensor(bias, [n]), relu, inputScale);
}

describe('wasm int8Linear', () => {
  let single: WasmAccelerator;
  let threaded: WasmAccelerator;
  beforeAll(async () => {
    single = await createWasmAccelerator({ threads: 1 });
    threaded = await createWasmAccelerator({ threads: 2 });
  });
  afterAll(() => {
    single.dispose();
    threaded.dispose();
  });

  // Odd rows (the 2-row tile's tail), columns off the 4-column tile, depths off the 16-byte vector.
  const cases: Array<[number, number, number, number, boolean, boolean]> = [
    [7, 10, 65, 0, true, true], [64, 128, 784, 0, false, true], [33, 5, 37, 0.004, true, false],
    [256, 64, 128, 0, true, true], [9, 3, 1000, 0.02, false, true],
  ];
  for (const [m, n, k, inputScale, relu, withBias] of cases) {
    it(`matches the TypeScript reference bit for bit: [${m}, ${k}] x [${n}, ${k}]ᵀ, scale ${inputScale || 'dynamic'}, relu ${relu}`, () => {
      const x = randomValues(m * k, m + n + k);
      x[3] = 0; // zeros and exact halves exercise the rounding
      x[5] = 0.5 * (inputScale || 1);
      x[7] = Number.NaN; // skipped by the row maximum, quantized to -127 (both kernels)
      if (m > 2) x.fill(0, k, 2 * k); // an all-zero row: scale 1e-30/127, not NaN
      const weights = randomInt8(n * k, 7 * k + 1);
      const scales = randomValues(n, 3).map((value) => Math.abs(value) * 0.01 + 1e-4);
      const bias = withBias ? randomValues(n, 11) : null;
      const expected = reference(x, weights, scales, bias, m, n, k, inputScale, relu);
      expect(expected.every(Number.isFinite)).toBe(true);
      for (const accelerator of [single, threaded]) {
        const out = new Float32Array(m * n).fill(Number.NaN);
        expect(accelerator.int8Linear!(x, weights, scales, bias, out, m, n, k, inputScale, relu)).toBe(true);
        expect(Array.from(out)).toEqual(Array.from(expected));
      }
    });
  }

  it('computes round-half-up int8 quantization and exact integer sums (checked by hand)', () => {
    // x row [1, -0.5, 0.25]: max 1 → scale 1/127; q = [127, floor(-63.5 + 0.5) = -63, floor(31.75 + 0.5) = 32].
    const out = reference(new Float32Array([1, -0.5, 0.25]), new Int32Array([2, 4, -1, -127, 0, 0]), new Float32Array([0.5, 1]), new Float32Array([1, 0]), 1, 2, 3, 0, false);
    const scale = Math.fround(1 / 127);
    expect(out[0]).toBeCloseTo((127 * 2 - 63 * 4 - 32) * scale * 0.5 + 1, 6);
    expect(out[1]).toBeCloseTo(-127 * 127 * scale, 4);
  });

  it('declines sizes too small to pay for the call, and arguments it cannot read', () => {
    const out = new Float32Array(4);
    expect(single.int8Linear!(new Float32Array(4), new Int32Array(4), new Float32Array(2), null, out, 2, 2, 2, 0, false)).toBe(false);
    expect(single.int8Linear!(new Float32Array(64 * 64), new Int32Array(64 * 64), new Float32Array(64), null, new Float32Array(64 * 64), 64, 64, 64, -1, false)).toBe(false);
  });
});
