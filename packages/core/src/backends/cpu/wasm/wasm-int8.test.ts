import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { plainKernelContext } from '../kernel-context.js';
import { int8Conv2d } from '../kernels/int8-conv2d.js';
import { int8Linear } from '../kernels/int8-linear.js';
import { convInfoOf, describeConvGeometry, type ConvGeometry } from '../conv-test-helpers.js';
import type { Conv2DInfo } from '../../../backend/backend.js';
import { randomValues } from '../../../testing/kernel-checks.js';
import { createWasmAccelerator, type WasmAccelerator, type WasmInstructionSet } from './index.js';

// Both kernel builds carry the int8 kernels (they use no relaxed instruction: the results are the same bits).
const INSTRUCTION_SETS: WasmInstructionSet[] = ['simd128', 'relaxed-simd'];

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

/** The TypeScript int8 convolution (the accelerator is absent from a plain context). */
function convReference(
  x: Float32Array, filter: Int32Array, scales: Float32Array, bias: Float32Array | null, info: Conv2DInfo, inputScale: number, relu: boolean,
  pool: [number, number] | null = null,
): Float32Array {
  const tensor = <T extends Float32Array | Int32Array>(values: T, shape: number[]) => ({ values, shape, dtype: values instanceof Int32Array ? 'int32' as const : 'float32' as const });
  return int8Conv2d(plainKernelContext(), tensor(x, [info.batch, info.inHeight, info.inWidth, info.inChannels]),
    tensor(filter, [info.filterHeight, info.filterWidth, info.inChannels, info.outChannels]), tensor(scales, [info.outChannels]),
    bias === null ? null : tensor(bias, [info.outChannels]), info, relu, inputScale, pool);
}

describe.each(INSTRUCTION_SETS)('wasm int8Linear (%s kernels)', (instructionSet) => {
  let single: WasmAccelerator;
  let threaded: WasmAccelerator;
  beforeAll(async () => {
    single = await createWasmAccelerator({ threads: 1, instructionSet });
    threaded = await createWasmAccelerator({ threads: 2, instructionSet });
    expect([single.instructionSet, threaded.instructionSet]).toEqual([instructionSet, instructionSet]);
  });
  afterAll(() => {
    single.dispose();
    threaded.dispose();
  });

  // Odd rows (the 2-row tile's tail), columns off the 4-column tile, depths off the 16-byte vector.
  const cases: Array<[number, number, number, number, boolean, boolean]> = [
    [7, 10, 65, 0, true, true], [64, 128, 784, 0, false, true], [33, 5, 37, 0.004, true, false],
    [256, 64, 128, 0, true, true], [9, 3, 1000, 0.02, false, true], [1, 9, 600, 0, true, true], [2, 4, 1024, 0, false, false],
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

  it('packs each weight buffer once and keeps it resident: a new buffer of the same shape gives its own results', () => {
    const [m, n, k] = [6, 12, 100];
    const x = randomValues(m * k, 5);
    const scales = new Float32Array(n).fill(0.01);
    const first = randomInt8(n * k, 1);
    const second = randomInt8(n * k, 2);
    for (const accelerator of [single, threaded]) {
      for (const weights of [first, second, first]) {
        const out = new Float32Array(m * n);
        expect(accelerator.int8Linear!(x, weights, scales, null, out, m, n, k, 0, false)).toBe(true);
        expect(Array.from(out)).toEqual(Array.from(reference(x, weights, scales, null, m, n, k, 0, false)));
      }
    }
  });

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

describe.each(INSTRUCTION_SETS)('wasm int8Conv2d (%s kernels)', (instructionSet) => {
  let single: WasmAccelerator;
  let threaded: WasmAccelerator;
  beforeAll(async () => {
    single = await createWasmAccelerator({ threads: 1, instructionSet });
    threaded = await createWasmAccelerator({ threads: 2, instructionSet });
    expect([single.instructionSet, threaded.instructionSet]).toEqual([instructionSet, instructionSet]);
  });
  afterAll(() => {
    single.dispose();
    threaded.dispose();
  });

  // The CNN's layers (5x5 'same'), odd sizes, strides, dilation (one run per tap), odd runs (the last
  // pair reads past its run), channels and filters off the 8-channel block, pixel counts off the
  // 4-pixel block.
  const cases: Array<[ConvGeometry, number, boolean, boolean]> = [
    [{ batch: 3, height: 28, width: 28, inChannels: 1, outChannels: 8, filterHeight: 5, filterWidth: 5, stride: [1, 1], dilation: [1, 1], pad: [2, 2, 2, 2] }, 0, true, true],
    [{ batch: 2, height: 14, width: 14, inChannels: 8, outChannels: 16, filterHeight: 5, filterWidth: 5, stride: [1, 1], dilation: [1, 1], pad: [2, 2, 2, 2] }, 0, true, true],
    [{ batch: 5, height: 9, width: 7, inChannels: 3, outChannels: 5, filterHeight: 3, filterWidth: 2, stride: [2, 1], dilation: [1, 1], pad: [1, 0, 0, 1] }, 0.01, false, true],
    [{ batch: 2, height: 11, width: 13, inChannels: 9, outChannels: 11, filterHeight: 3, filterWidth: 3, stride: [1, 2], dilation: [2, 2], pad: [2, 2, 2, 2] }, 0, true, false],
    [{ batch: 2, height: 25, width: 23, inChannels: 2, outChannels: 6, filterHeight: 1, filterWidth: 1, stride: [1, 1], dilation: [1, 1], pad: [0, 0, 0, 0] }, 0, false, true],
  ];
  // Fused max pools: the CNN's 2x2, windows of 3 (blocks of 4 with a repeated pixel) and 3x2 over odd sizes.
  const pools: Array<[number, number] | null> = [null, [2, 2], [1, 3], [3, 2]];
  for (const [geometry, inputScale, relu, withBias] of cases) {
    for (const pool of pools) {
      it(`matches the TypeScript reference bit for bit: ${describeConvGeometry(geometry)}, scale ${inputScale || 'dynamic'}, relu ${relu}, pool ${pool?.join('x') ?? 'none'}`, () => {
        const info = convInfoOf(geometry);
        const imageLength = info.inHeight * info.inWidth * info.inChannels;
        const x = randomValues(info.batch * imageLength, imageLength + info.outChannels);
        x[3] = 0;
        x[5] = 0.5 * (inputScale || 1);
        x[7] = Number.NaN; // skipped by the image maximum, quantized to -127 (both kernels)
        if (info.batch > 1) x.fill(0, imageLength, 2 * imageLength); // an all-zero image
        const filter = randomInt8(info.filterHeight * info.filterWidth * info.inChannels * info.outChannels, 13);
        const scales = randomValues(info.outChannels, 3).map((value) => Math.abs(value) * 0.01 + 1e-4);
        const bias = withBias ? randomValues(info.outChannels, 11) : null;
        const expected = convReference(x, filter, scales, bias, info, inputScale, relu, pool);
        expect(expected.every(Number.isFinite)).toBe(true);
        if (pool !== null) {
          // The pooled reference is the maximum of the unpooled one over each window.
          const full = convReference(x, filter, scales, bias, info, inputScale, relu);
          const [pooledHeight, pooledWidth, channels] = [Math.floor(info.outHeight / pool[0]), Math.floor(info.outWidth / pool[1]), info.outChannels];
          const last = expected.length - 1;
          const [image, py, px, o] = [info.batch - 1, pooledHeight - 1, pooledWidth - 1, channels - 1];
          let best = -Infinity;
          for (let wy = 0; wy < pool[0]; wy++) {
            for (let wx = 0; wx < pool[1]; wx++) best = Math.max(best, full[((image * info.outHeight + py * pool[0] + wy) * info.outWidth + px * pool[1] + wx) * channels + o]);
          }
          expect(expected.length).toBe(info.batch * pooledHeight * pooledWidth * channels);
          expect(expected[last]).toBe(best);
        }
        for (const accelerator of [single, threaded]) {
          const out = new Float32Array(expected.length).fill(Number.NaN);
          expect(accelerator.int8Conv2d!(x, filter, scales, bias, out, info, inputScale, relu, pool)).toBe(true);
          expect(Array.from(out)).toEqual(Array.from(expected));
        }
      });
    }
  }

  it('is the convolution of the quantized image, checked by hand', () => {
    // One 2x2 image [[1, -0.5], [0.25, 0]], 2x2 filter, valid: one output = Σ q·w, q = [127, -63, 32, 0].
    const info = convInfoOf({ batch: 1, height: 2, width: 2, inChannels: 1, outChannels: 1, filterHeight: 2, filterWidth: 2, stride: [1, 1], dilation: [1, 1], pad: [0, 0, 0, 0] });
    const out = convReference(new Float32Array([1, -0.5, 0.25, 0]), new Int32Array([2, 4, -1, 5]), new Float32Array([0.5]), new Float32Array([1]), info, 0, false);
    expect(out[0]).toBeCloseTo((127 * 2 - 63 * 4 - 32) * Math.fround(1 / 127) * 0.5 + 1, 6);
  });
});
