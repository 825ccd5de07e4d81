import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Conv2DInfo } from '../../../backend/backend.js';
import { convInfoOf, describeConvGeometry, naiveConv2d, type ConvGeometry } from '../conv-test-helpers.js';
import { expectSameBits, randomFloats, seededRandom } from '../test-helpers.js';
import type { KernelName } from './control-block.js';
import { buildWasmAccelerator, createWasmAccelerator, type WasmAccelerator, type WasmInstructionSet } from './index.js';

// The matrices of F(4, 5) with interpolation points 0, 1, -1, 2, -2, 1/2, -1/2, ∞, as assembly/winograd.ts
// hard-codes them (row 0 of Bᵀ and of G negated).
const AT = [
  [1, 1, 1, 1, 1, 1, 1, 0],
  [0, 1, -1, 2, -2, 1 / 2, -1 / 2, 0],
  [0, 1, 1, 4, 4, 1 / 4, 1 / 4, 0],
  [0, 1, -1, 8, -8, 1 / 8, -1 / 8, 1],
];
const G = [
  [1, 0, 0, 0, 0],
  [-2 / 9, -2 / 9, -2 / 9, -2 / 9, -2 / 9],
  [-2 / 9, 2 / 9, -2 / 9, 2 / 9, -2 / 9],
  [1 / 90, 1 / 45, 2 / 45, 4 / 45, 8 / 45],
  [1 / 90, -1 / 45, 2 / 45, -4 / 45, 8 / 45],
  [32 / 45, 16 / 45, 8 / 45, 4 / 45, 2 / 45],
  [32 / 45, -16 / 45, 8 / 45, -4 / 45, 2 / 45],
  [0, 0, 0, 0, 1],
];
const BT = [
  [1, 0, -21 / 4, 0, 21 / 4, 0, -1, 0],
  [0, 1, 1, -17 / 4, -17 / 4, 1, 1, 0],
  [0, -1, 1, 17 / 4, -17 / 4, -1, 1, 0],
  [0, 1 / 2, 1 / 4, -5 / 2, -5 / 4, 2, 1, 0],
  [0, -1 / 2, 1 / 4, 5 / 2, -5 / 4, -2, 1, 0],
  [0, 2, 4, -5 / 2, -5, 1 / 2, 1, 0],
  [0, -2, 4, 5 / 2, -5, -1 / 2, 1, 0],
  [0, -1, 0, 21 / 4, 0, -21 / 4, 0, 1],
];

function multiply(a: number[][], b: number[][]): number[][] {
  return a.map((row) => b[0].map((_, j) => row.reduce((sum, value, k) => sum + value * b[k][j], 0)));
}

function transpose(a: number[][]): number[][] {
  return a[0].map((_, j) => a.map((row) => row[j]));
}

/** Coefficients (constant first) of Π (x - root) over `roots`. */
function polynomialOfRoots(roots: number[]): number[] {
  let coefficients = [1];
  for (const root of roots) {
    const next = new Array<number>(coefficients.length + 1).fill(0);
    coefficients.forEach((value, power) => {
      next[power + 1] += value;
      next[power] -= root * value;
    });
    coefficients = next;
  }
  return coefficients;
}

const randomMatrix = (random: () => number, rows: number, columns: number) =>
  Array.from({ length: rows }, () => Array.from({ length: columns }, () => random() * 2 - 1));

describe('Winograd F(4x4, 5x5) matrices', () => {
  it('turn an 8x8 window and a 5x5 filter into the 4x4 valid correlation, in float64', () => {
    const random = seededRandom(5);
    for (let trial = 0; trial < 20; trial++) {
      const d = randomMatrix(random, 8, 8);
      const g = randomMatrix(random, 5, 5);
      const u = multiply(multiply(G, g), transpose(G));
      const v = multiply(multiply(BT, d), transpose(BT));
      const m = u.map((row, i) => row.map((value, j) => value * v[i][j]));
      const y = multiply(multiply(AT, m), transpose(AT));
      for (let oy = 0; oy < 4; oy++) {
        for (let ox = 0; ox < 4; ox++) {
          let direct = 0;
          for (let fy = 0; fy < 5; fy++) for (let fx = 0; fx < 5; fx++) direct += d[oy + fy][ox + fx] * g[fy][fx];
          expect(Math.abs(y[oy][ox] - direct)).toBeLessThan(1e-12);
        }
      }
    }
  });

  it('give the filter gradient transposed: Gᵀ [(A E Aᵀ) ⊙ (Bᵀ D B)] G is the 5x5 correlation of D with a 4x4 E', () => {
    const random = seededRandom(6);
    const A = transpose(AT);
    for (let trial = 0; trial < 20; trial++) {
      const d = randomMatrix(random, 8, 8);
      const e = randomMatrix(random, 4, 4);
      const y = multiply(multiply(A, e), AT);
      const v = multiply(multiply(BT, d), transpose(BT));
      const w = multiply(multiply(transpose(G), y.map((row, i) => row.map((value, j) => value * v[i][j]))), G);
      for (let fy = 0; fy < 5; fy++) {
        for (let fx = 0; fx < 5; fx++) {
          let direct = 0;
          for (let oy = 0; oy < 4; oy++) for (let ox = 0; ox < 4; ox++) direct += d[oy + fy][ox + fx] * e[oy][ox];
          expect(Math.abs(w[fy][fx] - direct)).toBeLessThan(1e-12);
        }
      }
    }
  });

  it('are the Toom-Cook matrices of the points 0, 1, -1, 2, -2, 1/2, -1/2, ∞ (row 0 of Bᵀ and G negated)', () => {
    const points = [0, 1, -1, 2, -2, 1 / 2, -1 / 2];
    points.forEach((p, i) => {
      const sign = i === 0 ? -1 : 1;
      // Aᵀ evaluates at the points (p^0 .. p^3); G evaluates the filter polynomial, divided by Π_j≠i (p - p_j);
      // Bᵀ's row is the polynomial Π_j≠i (x - p_j).
      expect(AT.map((row) => row[i])).toEqual([1, p, p ** 2, p ** 3]);
      const others = points.filter((_, j) => j !== i);
      const scale = others.reduce((product, q) => product * (p - q), 1);
      G[i].forEach((value, k) => expect(value).toBeCloseTo((sign * p ** k) / scale, 15));
      polynomialOfRoots(others).forEach((value, k) => expect(BT[i][k]).toBeCloseTo(sign * value, 15));
      expect(BT[i][7]).toBe(0);
    });
    // The point at infinity takes the leading coefficients; its Bᵀ row is the polynomial of all points.
    expect(AT.map((row) => row[7])).toEqual([0, 0, 0, 1]);
    expect(G[7]).toEqual([0, 0, 0, 0, 1]);
    polynomialOfRoots(points).forEach((value, k) => expect(BT[7][k]).toBeCloseTo(value, 15));
  });
});

/** A random 5x5 stride-1 convolution: sizes 1-17, channels 1-17, paddings 0-4 (at least one output pixel). */
function randomGeometry(random: () => number): ConvGeometry {
  const integer = (low: number, high: number) => low + Math.floor(random() * (high - low + 1));
  for (;;) {
    const height = integer(1, 17);
    const width = integer(1, 17);
    const pad: [number, number, number, number] = [integer(0, 4), integer(0, 4), integer(0, 4), integer(0, 4)];
    if (height + pad[0] + pad[1] < 5 || width + pad[2] + pad[3] < 5) continue;
    return {
      batch: integer(1, 3), height, width, inChannels: integer(1, 17), outChannels: integer(1, 17),
      filterHeight: 5, filterWidth: 5, stride: [1, 1], dilation: [1, 1], pad,
    };
  }
}

/** max |actual - expected|, and the largest |expected| (at least 1e-3, so all-zero outputs compare absolutely). */
function worstError(actual: ArrayLike<number>, expected: ArrayLike<number>): { error: number; scale: number } {
  let error = 0;
  let scale = 1e-3;
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    error = Math.max(error, Math.abs(actual[i] - expected[i]));
    scale = Math.max(scale, Math.abs(expected[i]));
  }
  return { error, scale };
}

/**
 * Within float32 rounding of the output's scale (Winograd's transforms round beyond a summation order):
 * 1e-5 of the largest |value|, 2e-5 for the filter gradient, whose transforms cancel the most
 * (measured by `scripts/winograd-timing.ts --accuracy 300` on random data of this file's random shapes:
 * forward up to 5.7e-6, input gradient 5.6e-6, filter gradient 7.2e-6; the CNN's conv2: 4.1e-6,
 * 4.1e-6, 4.6e-6).
 */
function expectWithinScale(actual: ArrayLike<number>, expected: ArrayLike<number>, relative = 1e-5): void {
  const { error, scale } = worstError(actual, expected);
  expect(error / scale).toBeLessThan(relative);
}

interface Recorded {
  accelerator: WasmAccelerator;
  kernels: KernelName[];
}

/** An accelerator whose pool records the kernels it runs. */
async function recordingAccelerator(threads: number, instructionSet: WasmInstructionSet): Promise<Recorded> {
  const { accelerator, pool } = await buildWasmAccelerator({ threads, instructionSet });
  const kernels: KernelName[] = [];
  const run = pool.run.bind(pool);
  pool.run = (kernel, ...rest) => {
    kernels.push(kernel);
    run(kernel, ...rest);
  };
  return { accelerator, kernels };
}

const INSTRUCTION_SETS: WasmInstructionSet[] = ['simd128', 'relaxed-simd'];

describe.each(INSTRUCTION_SETS)('wasm Winograd F(4x4, 5x5) convolution (%s kernels)', (instructionSet) => {
  let single: Recorded;
  let threaded: Recorded;
  let direct: WasmAccelerator;

  beforeAll(async () => {
    single = await recordingAccelerator(1, instructionSet);
    threaded = await recordingAccelerator(2, instructionSet);
    process.env.DENDRITE_WINOGRAD = 'off';
    try {
      direct = await createWasmAccelerator({ threads: 1, instructionSet });
    } finally {
      delete process.env.DENDRITE_WINOGRAD;
    }
  });
  afterAll(() => {
    single.accelerator.dispose();
    threaded.accelerator.dispose();
    direct.dispose();
  });

  const random = seededRandom(2016);
  const geometries = Array.from({ length: 24 }, () => randomGeometry(random));
  // The CNN's layers, and partial tiles of every kind (heights and widths of every remainder of 4, a single pixel).
  geometries.push(
    { batch: 2, height: 14, width: 14, inChannels: 8, outChannels: 16, filterHeight: 5, filterWidth: 5, stride: [1, 1], dilation: [1, 1], pad: [2, 2, 2, 2] },
    { batch: 1, height: 7, width: 13, inChannels: 4, outChannels: 9, filterHeight: 5, filterWidth: 5, stride: [1, 1], dilation: [1, 1], pad: [2, 2, 2, 2] },
    // Every remainder of 4 in both directions: 17 = 4 * 4 + 1, 14 = 4 * 3 + 2, 15 = 4 * 3 + 3.
    { batch: 1, height: 17, width: 14, inChannels: 5, outChannels: 11, filterHeight: 5, filterWidth: 5, stride: [1, 1], dilation: [1, 1], pad: [2, 2, 2, 2] },
    { batch: 2, height: 15, width: 13, inChannels: 12, outChannels: 8, filterHeight: 5, filterWidth: 5, stride: [1, 1], dilation: [1, 1], pad: [2, 2, 2, 2] },
    { batch: 1, height: 5, width: 5, inChannels: 6, outChannels: 5, filterHeight: 5, filterWidth: 5, stride: [1, 1], dilation: [1, 1], pad: [0, 0, 0, 0] },
  );

  geometries.forEach((g, index) => {
    it(`matches the float64 definition and the direct kernel (forward with and without bias + relu, both gradients), 1 and 2 threads: ${describeConvGeometry(g)}`, () => {
      const caseRandom = seededRandom(300 + index);
      const info: Conv2DInfo = convInfoOf(g);
      const x = randomFloats(info.batch * info.inHeight * info.inWidth * info.inChannels, caseRandom);
      const filter = randomFloats(25 * info.inChannels * info.outChannels, caseRandom);
      const dy = randomFloats(info.batch * info.outHeight * info.outWidth * info.outChannels, caseRandom);
      const bias = randomFloats(info.outChannels, caseRandom);
      const expected = naiveConv2d(info, x, filter, dy);
      const expectedFused = expected.out.map((value, i) => Math.max(0, value + bias[i % info.outChannels]));
      const results: Float32Array[][] = [];
      for (const { accelerator, kernels } of [single, threaded]) {
        kernels.length = 0;
        const out = new Float32Array(expected.out.length);
        const fused = new Float32Array(expected.out.length);
        const dx = new Float32Array(expected.dx.length);
        const dFilter = new Float32Array(expected.dFilter.length);
        expect(accelerator.conv2d!(x, filter, out, info)).toBe(true);
        expect(accelerator.conv2d!(x, filter, fused, info, bias, 'relu')).toBe(true);
        const forwardWinograd = kernels.filter((kernel) => kernel === 'winogradChunk').length;
        expect(accelerator.conv2dBackpropInput!(dy, filter, dx, info)).toBe(true);
        const inputWinograd = kernels.filter((kernel) => kernel === 'winogradChunk').length - forwardWinograd;
        expect(accelerator.conv2dBackpropFilter!(x, dy, dFilter, info)).toBe(true);
        const filterWinograd = kernels.filter((kernel) => kernel === 'winogradFilterGradChunk').length;
        // Winograd takes 4 or more channels (the forward's input channels, the gradient's output
        // channels) and outputs at least 4x4 pixels with at least 4 4x4 tiles in all.
        const takes = (channels: number, height: number, width: number) =>
          channels >= 4 && height >= 4 && width >= 4 && info.batch * Math.ceil(height / 4) * Math.ceil(width / 4) >= 4;
        expect(forwardWinograd).toBe(takes(info.inChannels, info.outHeight, info.outWidth) ? 2 : 0);
        expect(inputWinograd).toBe(takes(info.outChannels, info.inHeight, info.inWidth) ? 1 : 0);
        expect(filterWinograd).toBe(takes(info.inChannels, info.outHeight, info.outWidth) ? 1 : 0);
        expectWithinScale(out, expected.out);
        expectWithinScale(fused, expectedFused);
        expectWithinScale(dx, expected.dx);
        expectWithinScale(dFilter, expected.dFilter, 2e-5);
        results.push([out, fused, dx, dFilter]);
      }
      // Tiles never depend on the chunks: one thread and two give the same bits.
      for (const [output, values] of results[0].entries()) expectSameBits(results[1][output], values);
      // The direct kernel agrees within float32 rounding of the scale.
      const out = new Float32Array(expected.out.length);
      const dx = new Float32Array(expected.dx.length);
      expect(direct.conv2d!(x, filter, out, info)).toBe(true);
      expectWithinScale(results[0][0], out);
      // (It leaves input gradients with few input and many output channels to im2col.)
      if (direct.conv2dBackpropInput!(dy, filter, dx, info)) expectWithinScale(results[0][2], dx);
      const dFilter = new Float32Array(expected.dFilter.length);
      expect(direct.conv2dBackpropFilter!(x, dy, dFilter, info)).toBe(true);
      expectWithinScale(results[0][3], dFilter, 2e-5);
    });
  });

  it('fuses the bias and the activation bit for bit as the separate float32 ops, and writes nothing past the output', () => {
    const info = convInfoOf({ batch: 2, height: 9, width: 11, inChannels: 6, outChannels: 10, filterHeight: 5, filterWidth: 5, stride: [1, 1], dilation: [1, 1], pad: [2, 2, 2, 2] });
    const caseRandom = seededRandom(77);
    const x = randomFloats(info.batch * info.inHeight * info.inWidth * info.inChannels, caseRandom);
    const filter = randomFloats(25 * info.inChannels * info.outChannels, caseRandom);
    const bias = randomFloats(info.outChannels, caseRandom);
    const length = info.batch * info.outHeight * info.outWidth * info.outChannels;
    const plain = new Float32Array(length);
    expect(single.accelerator.conv2d!(x, filter, plain, info)).toBe(true);
    const withBias = plain.map((value, i) => value + bias[i % info.outChannels]);
    // Outputs inside wasm memory with a sentinel after them: partial tiles store only the valid pixels and channels.
    const block = single.accelerator.allocate!(length + 8);
    block.fill(12345);
    expect(single.accelerator.conv2d!(x, filter, block.subarray(0, length), info, bias, 'relu')).toBe(true);
    expectSameBits(block.subarray(0, length), withBias.map((value) => (value < 0 ? 0 : value)));
    expect(Array.from(block.subarray(length))).toEqual(new Array(8).fill(12345));
    const tanhOut = new Float32Array(length);
    expect(single.accelerator.conv2d!(x, filter, tanhOut, info, bias, 'tanh')).toBe(true);
    expectWithinScale(tanhOut, withBias.map(Math.tanh));
  });

  it('declines strides, dilations, other filter sizes, fewer than 4 channels and small outputs (the direct kernel runs)', () => {
    const cases: ConvGeometry[] = [
      { batch: 1, height: 9, width: 9, inChannels: 8, outChannels: 8, filterHeight: 5, filterWidth: 5, stride: [2, 1], dilation: [1, 1], pad: [2, 2, 2, 2] },
      { batch: 1, height: 9, width: 9, inChannels: 8, outChannels: 8, filterHeight: 5, filterWidth: 5, stride: [1, 1], dilation: [1, 2], pad: [2, 2, 2, 2] },
      { batch: 1, height: 9, width: 9, inChannels: 8, outChannels: 8, filterHeight: 3, filterWidth: 3, stride: [1, 1], dilation: [1, 1], pad: [1, 1, 1, 1] },
      { batch: 1, height: 9, width: 9, inChannels: 8, outChannels: 8, filterHeight: 5, filterWidth: 3, stride: [1, 1], dilation: [1, 1], pad: [2, 2, 1, 1] },
      { batch: 1, height: 9, width: 9, inChannels: 3, outChannels: 2, filterHeight: 5, filterWidth: 5, stride: [1, 1], dilation: [1, 1], pad: [2, 2, 2, 2] },
      // Too few 4x4 tiles, and outputs under 4 pixels high or wide.
      { batch: 1, height: 8, width: 4, inChannels: 8, outChannels: 8, filterHeight: 5, filterWidth: 5, stride: [1, 1], dilation: [1, 1], pad: [2, 2, 2, 2] },
      { batch: 4, height: 3, width: 9, inChannels: 8, outChannels: 8, filterHeight: 5, filterWidth: 5, stride: [1, 1], dilation: [1, 1], pad: [2, 2, 2, 2] },
      { batch: 3, height: 9, width: 1, inChannels: 8, outChannels: 8, filterHeight: 5, filterWidth: 5, stride: [1, 1], dilation: [1, 1], pad: [2, 2, 2, 2] },
    ];
    for (const g of cases) {
      const info = convInfoOf(g);
      const x = randomFloats(info.batch * info.inHeight * info.inWidth * info.inChannels, seededRandom(1));
      const filter = randomFloats(g.filterHeight * g.filterWidth * info.inChannels * info.outChannels, seededRandom(2));
      const out = new Float32Array(info.batch * info.outHeight * info.outWidth * info.outChannels);
      single.kernels.length = 0;
      expect(single.accelerator.conv2d!(x, filter, out, info)).toBe(true);
      expect(single.kernels).not.toContain('winogradChunk');
      expect(single.kernels).toContain('conv2dChunk');
      expectWithinScale(out, naiveConv2d(info, x, filter, out).out);
    }
  });

  it('declines more than 168 input channels (its ring of transformed columns is full): im2col takes them', () => {
    // 4 images of 4x4: 4 tiles, so the channels are the only reason to decline.
    const info = convInfoOf({ batch: 4, height: 4, width: 4, inChannels: 172, outChannels: 4, filterHeight: 5, filterWidth: 5, stride: [1, 1], dilation: [1, 1], pad: [2, 2, 2, 2] });
    single.kernels.length = 0;
    expect(single.accelerator.conv2d!(new Float32Array(64 * 172), new Float32Array(25 * 172 * 4), new Float32Array(64 * 4), info)).toBe(false);
    expect(single.accelerator.conv2dBackpropFilter!(new Float32Array(64 * 172), new Float32Array(64 * 4), new Float32Array(25 * 172 * 4), info)).toBe(false);
    expect(single.kernels).toEqual([]);
  });

  it('takes up to 168 channels in blocks of 4 tiles (the filter gradient while its two blocks fit: 176 channels in and out)', () => {
    for (const [inChannels, outChannels, filterGradient] of [[168, 168, false], [100, 64, true]] as const) {
      const info = convInfoOf({ batch: 1, height: 8, width: 8, inChannels, outChannels, filterHeight: 5, filterWidth: 5, stride: [1, 1], dilation: [1, 1], pad: [2, 2, 2, 2] });
      const caseRandom = seededRandom(inChannels);
      const x = randomFloats(64 * inChannels, caseRandom);
      const filter = randomFloats(25 * inChannels * outChannels, caseRandom);
      const dy = randomFloats(64 * outChannels, caseRandom);
      const expected = naiveConv2d(info, x, filter, dy);
      const out = new Float32Array(expected.out.length);
      const dx = new Float32Array(expected.dx.length);
      const dFilter = new Float32Array(expected.dFilter.length);
      single.kernels.length = 0;
      expect(single.accelerator.conv2d!(x, filter, out, info)).toBe(true);
      expect(single.accelerator.conv2dBackpropInput!(dy, filter, dx, info)).toBe(true);
      // Otherwise the patch is too wide for the direct kernel too: im2col takes it.
      expect(single.accelerator.conv2dBackpropFilter!(x, dy, dFilter, info)).toBe(filterGradient);
      expect(single.kernels.filter((kernel) => kernel === 'winogradChunk')).toHaveLength(2);
      expect(single.kernels.filter((kernel) => kernel === 'winogradFilterGradChunk')).toHaveLength(filterGradient ? 1 : 0);
      expectWithinScale(out, expected.out);
      expectWithinScale(dx, expected.dx);
      if (filterGradient) expectWithinScale(dFilter, expected.dFilter, 2e-5);
    }
  });

  /** x with NaN, -0 and repeated values mixed in (ties, and NaNs the pool must carry as maxPoolWithIndices does). */
  function withSpecialValues(x: Float32Array, random: () => number): Float32Array {
    return x.map((value) => {
      const r = random();
      return r < 0.01 ? NaN : r < 0.04 ? -0 : r < 0.08 ? 0.5 : value;
    });
  }

  it('reads dy unpadded for the input gradient (no padded copy): the same bits as the forward kernel over the padded dy with the flipped filter', () => {
    const caseRandom = seededRandom(4242);
    const cases = Array.from({ length: 14 }, () => randomGeometry(caseRandom)).filter((g) => g.outChannels >= 4);
    cases.push({ batch: 3, height: 14, width: 14, inChannels: 8, outChannels: 16, filterHeight: 5, filterWidth: 5, stride: [1, 1], dilation: [1, 1], pad: [2, 2, 2, 2] });
    let compared = 0;
    for (const g of cases) {
      const info = convInfoOf(g);
      if (info.outHeight < 1 || info.outWidth < 1) continue;
      const dy = withSpecialValues(randomFloats(info.batch * info.outHeight * info.outWidth * info.outChannels, caseRandom), caseRandom);
      const filter = randomFloats(25 * info.inChannels * info.outChannels, caseRandom);
      // The input gradient's filter as a forward one: rotated by 180° with its channels swapped.
      const flipped = new Float32Array(filter.length);
      for (let fy = 0; fy < 5; fy++) {
        for (let fx = 0; fx < 5; fx++) {
          for (let c = 0; c < info.inChannels; c++) {
            for (let k = 0; k < info.outChannels; k++) {
              flipped[((fy * 5 + fx) * info.outChannels + k) * info.inChannels + c] = filter[(((4 - fy) * 5 + 4 - fx) * info.inChannels + c) * info.outChannels + k];
            }
          }
        }
      }
      const forwardInfo = convInfoOf({
        batch: info.batch, height: info.outHeight, width: info.outWidth, inChannels: info.outChannels, outChannels: info.inChannels,
        filterHeight: 5, filterWidth: 5, stride: [1, 1], dilation: [1, 1],
        pad: [4 - g.pad[0], 4 - g.pad[1], 4 - g.pad[2], 4 - g.pad[3]],
      });
      expect([forwardInfo.outHeight, forwardInfo.outWidth]).toEqual([info.inHeight, info.inWidth]);
      for (const { accelerator, kernels } of [single, threaded]) {
        kernels.length = 0;
        const dx = new Float32Array(info.batch * info.inHeight * info.inWidth * info.inChannels);
        expect(accelerator.conv2dBackpropInput!(dy, filter, dx, info)).toBe(true);
        if (!kernels.includes('winogradChunk')) continue;
        expect(kernels).not.toContain('padImagesChunk');
        // The forward call reads a zero-padded copy of its input.
        const viaForward = new Float32Array(dx.length);
        kernels.length = 0;
        expect(accelerator.conv2d!(dy, flipped, viaForward, forwardInfo)).toBe(true);
        expect(kernels).toEqual(['padImagesChunk', 'winogradFilterChunk', 'winogradChunk']);
        expectSameBits(dx, viaForward);
        compared++;
      }
    }
    expect(compared).toBeGreaterThan(10);
  });

  it('fuses the 2x2 max pool into the forward (conv2dMaxPool): the same bits and indices as Winograd conv + maxPoolWithIndices, never the full-resolution output', () => {
    const caseRandom = seededRandom(1994);
    const cases = Array.from({ length: 16 }, () => randomGeometry(caseRandom)).filter((g) => g.inChannels >= 4);
    // The CNN's conv2, odd outputs (the last row and column dropped) and every remainder of 4.
    cases.push(
      { batch: 3, height: 14, width: 14, inChannels: 8, outChannels: 16, filterHeight: 5, filterWidth: 5, stride: [1, 1], dilation: [1, 1], pad: [2, 2, 2, 2] },
      { batch: 2, height: 13, width: 15, inChannels: 5, outChannels: 11, filterHeight: 5, filterWidth: 5, stride: [1, 1], dilation: [1, 1], pad: [2, 2, 2, 2] },
      { batch: 1, height: 17, width: 16, inChannels: 9, outChannels: 7, filterHeight: 5, filterWidth: 5, stride: [1, 1], dilation: [1, 1], pad: [2, 2, 2, 2] },
      { batch: 2, height: 12, width: 11, inChannels: 4, outChannels: 17, filterHeight: 5, filterWidth: 5, stride: [1, 1], dilation: [1, 1], pad: [0, 0, 0, 0] },
    );
    const activations = ['linear', 'relu', 'tanh', 'sigmoid'] as const;
    let fused = 0;
    cases.forEach((g, index) => {
      const info = convInfoOf(g);
      const pooledHeight = Math.floor(info.outHeight / 2);
      const pooledWidth = Math.floor(info.outWidth / 2);
      if (pooledHeight < 1 || pooledWidth < 1) return;
      const x = withSpecialValues(randomFloats(info.batch * info.inHeight * info.inWidth * info.inChannels, caseRandom), caseRandom);
      const filter = randomFloats(25 * info.inChannels * info.outChannels, caseRandom);
      const bias = index % 2 === 0 ? randomFloats(info.outChannels, caseRandom) : null;
      const activation = activations[index % 4];
      const pooledLength = info.batch * pooledHeight * pooledWidth * info.outChannels;
      const results: Array<[Float32Array, Int32Array]> = [];
      for (const { accelerator, kernels } of [single, threaded]) {
        const convolved = new Float32Array(info.batch * info.outHeight * info.outWidth * info.outChannels);
        expect(accelerator.conv2d!(x, filter, convolved, info, bias, activation)).toBe(true);
        const expectedPooled = new Float32Array(pooledLength);
        const expectedIndices = new Int32Array(pooledLength);
        expect(accelerator.maxPoolWithIndices!(convolved, expectedPooled, expectedIndices, info.batch, info.outHeight, info.outWidth, info.outChannels)).toBe(true);
        const pooled = new Float32Array(pooledLength);
        const indices = new Int32Array(pooledLength);
        kernels.length = 0;
        const took = accelerator.conv2dMaxPool!(x, filter, bias, activation, info, pooled, indices);
        if (!kernels.includes('winogradChunk')) continue;
        expect(took).toBe(true);
        expect(kernels).not.toContain('maxPoolIndicesChunk');
        expectSameBits(pooled, expectedPooled);
        expect(Array.from(indices)).toEqual(Array.from(expectedIndices));
        results.push([pooled, indices]);
        fused++;
      }
      if (results.length === 2) {
        expectSameBits(results[1][0], results[0][0]);
        expect(Array.from(results[1][1])).toEqual(Array.from(results[0][1]));
        // Values (NaN replaced: a NaN input makes a Winograd tile's 16 outputs NaN, its 8x8 window mixed
        // into every point) within float32 rounding of the float64 definition and of the direct kernel's pool.
        const numbers = x.map((value) => (Number.isNaN(value) ? 0.25 : value));
        const actual = new Float32Array(pooledLength);
        expect(single.accelerator.conv2dMaxPool!(numbers, filter, bias, activation, info, actual, new Int32Array(pooledLength))).toBe(true);
        const definition = naiveConv2d(info, numbers, filter, new Float32Array(info.batch * info.outHeight * info.outWidth * info.outChannels)).out;
        const activate = (value: number) => (activation === 'relu' ? Math.max(0, value) : activation === 'tanh' ? Math.tanh(value)
          : activation === 'sigmoid' ? 1 / (1 + Math.exp(-value)) : value);
        const expected = new Float64Array(pooledLength);
        for (let i = 0; i < pooledLength; i++) {
          const channel = i % info.outChannels;
          const pooledPixel = Math.floor(i / info.outChannels);
          const image = Math.floor(pooledPixel / (pooledHeight * pooledWidth));
          const py = Math.floor(pooledPixel / pooledWidth) % pooledHeight;
          const px = pooledPixel % pooledWidth;
          let best = -Infinity;
          for (const [dy, dx] of [[0, 0], [0, 1], [1, 0], [1, 1]]) {
            const cell = ((image * info.outHeight + 2 * py + dy) * info.outWidth + 2 * px + dx) * info.outChannels + channel;
            best = Math.max(best, activate(definition[cell] + (bias === null ? 0 : bias[channel])));
          }
          expected[i] = best;
        }
        // (tanh and sigmoid squash the outputs below 1 while the convolution's rounding scales with its own larger values.)
        const relative = activation === 'tanh' || activation === 'sigmoid' ? 1e-4 : 1e-5;
        expectWithinScale(actual, expected, relative);
        const directPooled = new Float32Array(pooledLength);
        expect(direct.conv2dMaxPool!(numbers, filter, bias, activation, info, directPooled, new Int32Array(pooledLength))).toBe(true);
        expectWithinScale(actual, directPooled, relative);
      }
    });
    expect(fused).toBeGreaterThan(12);
  });

  it('writes no pooled pixel or index past its output, and pools within float32 rounding of the direct kernel', () => {
    const info = convInfoOf({ batch: 2, height: 11, width: 9, inChannels: 6, outChannels: 10, filterHeight: 5, filterWidth: 5, stride: [1, 1], dilation: [1, 1], pad: [2, 2, 2, 2] });
    const caseRandom = seededRandom(5);
    const x = randomFloats(info.batch * 11 * 9 * 6, caseRandom);
    const filter = randomFloats(25 * 6 * 10, caseRandom);
    const bias = randomFloats(10, caseRandom);
    const pooledLength = info.batch * 5 * 4 * 10;
    const block = single.accelerator.allocate!(pooledLength + 8);
    block.fill(12345);
    const indices = new Int32Array(pooledLength);
    single.kernels.length = 0;
    expect(single.accelerator.conv2dMaxPool!(x, filter, bias, 'relu', info, block.subarray(0, pooledLength), indices)).toBe(true);
    expect(single.kernels).toContain('winogradChunk');
    expect(Array.from(block.subarray(pooledLength))).toEqual(new Array(8).fill(12345));
    const directPooled = new Float32Array(pooledLength);
    expect(direct.conv2dMaxPool!(x, filter, bias, 'relu', info, directPooled, new Int32Array(pooledLength))).toBe(true);
    expectWithinScale(block.subarray(0, pooledLength), directPooled);
  });

  it('stays within float32 rounding on the CNN layer at full batch: worst error / scale below 1e-5 (filter gradient 2e-5)', () => {
    const info = convInfoOf({ batch: 64, height: 14, width: 14, inChannels: 8, outChannels: 16, filterHeight: 5, filterWidth: 5, stride: [1, 1], dilation: [1, 1], pad: [2, 2, 2, 2] });
    const caseRandom = seededRandom(64);
    const x = randomFloats(info.batch * 14 * 14 * 8, caseRandom);
    const filter = randomFloats(25 * 8 * 16, caseRandom, -0.2, 0.2);
    const dy = randomFloats(info.batch * 14 * 14 * 16, caseRandom, -0.01, 0.01);
    const expected = naiveConv2d(info, x, filter, dy);
    const out = new Float32Array(expected.out.length);
    const dx = new Float32Array(expected.dx.length);
    expect(threaded.accelerator.conv2d!(x, filter, out, info)).toBe(true);
    const dFilter = new Float32Array(expected.dFilter.length);
    expect(threaded.accelerator.conv2dBackpropInput!(dy, filter, dx, info)).toBe(true);
    expect(threaded.accelerator.conv2dBackpropFilter!(x, dy, dFilter, info)).toBe(true);
    expectWithinScale(out, expected.out);
    expectWithinScale(dx, expected.dx);
    expectWithinScale(dFilter, expected.dFilter, 2e-5);
  });
});
