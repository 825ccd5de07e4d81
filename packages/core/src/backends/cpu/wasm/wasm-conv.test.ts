import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Conv2DInfo } from '../../../backend/backend.js';
import { convInfoOf, describeConvGeometry, naiveConv2d, type ConvGeometry } from '../conv-test-helpers.js';
import { createCpuBackend } from '../cpu-backend.js';
import { expectClose, expectSameBits, randomFloats, readValues, seededRandom, tensorOf } from '../test-helpers.js';
import { createWasmAccelerator, type WasmAccelerator, type WasmInstructionSet } from './index.js';

// These tests pin the direct kernels' bits and paths; the Winograd kernel (wasm-winograd.test.ts) would take
// the 5x5 stride-1 cases with 4+ channels.
process.env.DENDRITE_WINOGRAD = 'off';

const geometry = (
  batch: number, height: number, width: number, inChannels: number, outChannels: number, filter: [number, number],
  stride: [number, number], dilation: [number, number], pad: [number, number, number, number],
): ConvGeometry => ({
  batch, height, width, inChannels, outChannels, filterHeight: filter[0], filterWidth: filter[1], stride, dilation, pad,
});

const GEOMETRIES: ConvGeometry[] = [
  // The two layers of the issue-3 CNN (fewer images).
  geometry(3, 28, 28, 1, 8, [5, 5], [1, 1], [1, 1], [2, 2, 2, 2]),
  geometry(3, 14, 14, 8, 16, [5, 5], [1, 1], [1, 1], [2, 2, 2, 2]),
  // Ragged tiles: widths that are not a multiple of 4, channel counts that are not a multiple of 8.
  geometry(2, 7, 6, 3, 4, [3, 3], [1, 1], [1, 1], [1, 1, 1, 1]),
  geometry(2, 9, 11, 5, 12, [3, 3], [1, 1], [1, 1], [0, 0, 0, 0]),
  geometry(1, 5, 5, 1, 1, [3, 3], [1, 1], [1, 1], [0, 0, 0, 0]),
  geometry(2, 6, 13, 9, 17, [2, 3], [1, 1], [1, 1], [1, 0, 2, 0]),
  // Strides (the input gradient falls back to im2col there), dilation, uneven and oversized padding.
  geometry(2, 9, 8, 2, 5, [3, 2], [2, 3], [1, 1], [1, 0, 0, 1]),
  geometry(1, 10, 11, 3, 2, [3, 3], [1, 2], [2, 3], [2, 2, 3, 3]),
  geometry(2, 8, 9, 4, 8, [3, 3], [1, 1], [2, 2], [2, 1, 0, 3]),
  geometry(2, 5, 6, 3, 8, [3, 3], [1, 1], [1, 1], [3, 3, 4, 4]),
  geometry(1, 12, 12, 2, 3, [3, 3], [2, 2], [2, 1], [1, 1, 1, 1]),
  // Pointwise, and a filter larger than the image.
  geometry(3, 4, 4, 5, 6, [1, 1], [1, 1], [1, 1], [0, 0, 0, 0]),
  geometry(1, 4, 5, 2, 3, [5, 5], [1, 1], [1, 1], [2, 2, 2, 2]),
];

/**
 * The direct kernel's own summation, in float32: each output adds its window's products one at a
 * time in (fy, fx, channel) order, padding cells included as zeros. `inputGradient` gives instead the
 * input gradient as that kernel computes it (stride 1): the forward sum over the zero-padded dy
 * with the filter rotated by 180° and its channels swapped.
 */
function sequentialConv2d(info: Conv2DInfo, x: Float32Array, filter: Float32Array, dy: Float32Array, inputGradient: boolean): Float32Array {
  const { batch, filterHeight, filterWidth, dilationHeight, dilationWidth } = info;
  const [height, width, channels] = inputGradient ? [info.outHeight, info.outWidth, info.outChannels] : [info.inHeight, info.inWidth, info.inChannels];
  const [outHeight, outWidth, outChannels] = inputGradient ? [info.inHeight, info.inWidth, info.inChannels] : [info.outHeight, info.outWidth, info.outChannels];
  const source = inputGradient ? dy : x;
  const out = new Float32Array(batch * outHeight * outWidth * outChannels);
  let target = 0;
  for (let n = 0; n < batch; n++) {
    for (let oy = 0; oy < outHeight; oy++) {
      for (let ox = 0; ox < outWidth; ox++) {
        for (let column = 0; column < outChannels; column++, target++) {
          let sum = 0;
          for (let fy = 0; fy < filterHeight; fy++) {
            for (let fx = 0; fx < filterWidth; fx++) {
              // Forward: x(oy * stride - pad + fy * dilation); input gradient: dy(y + pad - (kh - 1 - fy) * dilation).
              const sy = inputGradient ? oy + info.padTop - (filterHeight - 1 - fy) * dilationHeight : oy * info.strideHeight - info.padTop + fy * dilationHeight;
              const sx = inputGradient ? ox + info.padLeft - (filterWidth - 1 - fx) * dilationWidth : ox * info.strideWidth - info.padLeft + fx * dilationWidth;
              const inside = sy >= 0 && sy < height && sx >= 0 && sx < width;
              for (let c = 0; c < channels; c++) {
                const value = inside ? source[((n * height + sy) * width + sx) * channels + c] : 0;
                const weight = inputGradient
                  ? filter[(((filterHeight - 1 - fy) * filterWidth + (filterWidth - 1 - fx)) * info.inChannels + column) * info.outChannels + c]
                  : filter[((fy * filterWidth + fx) * info.inChannels + c) * info.outChannels + column];
                sum = Math.fround(sum + Math.fround(value * weight));
              }
            }
          }
          out[target] = sum;
        }
      }
    }
  }
  return out;
}

/** Output widths 14, 7, 5, 3 and 1 (tiles of 4 pixels wrap across row ends), strided and dilated. */
const ROW_WRAP_GEOMETRIES: ConvGeometry[] = [
  geometry(3, 14, 14, 8, 16, [5, 5], [1, 1], [1, 1], [2, 2, 2, 2]),
  geometry(2, 7, 7, 3, 9, [3, 3], [1, 1], [1, 1], [1, 1, 1, 1]),
  geometry(3, 5, 5, 2, 8, [3, 3], [1, 1], [2, 2], [2, 2, 2, 2]),
  geometry(2, 6, 3, 4, 5, [2, 3], [1, 1], [1, 1], [0, 1, 1, 1]),
  geometry(3, 4, 1, 5, 8, [3, 1], [1, 1], [1, 1], [1, 1, 0, 0]),
  geometry(2, 13, 14, 3, 8, [3, 3], [2, 2], [1, 1], [1, 1, 1, 1]),
  geometry(2, 11, 9, 2, 12, [3, 3], [1, 3], [1, 2], [1, 1, 0, 0]),
  geometry(3, 9, 6, 1, 4, [3, 2], [2, 1], [2, 1], [0, 0, 0, 1]),
];

/**
 * The filter gradient as the direct kernel sums it, in float32: each of its chunks of output rows
 * (32 fixed chunks, as wasm-conv.ts cuts them) adds window * dy over its pixels in order from +0,
 * padding cells included as zeros, then the chunks' sums are added in chunk order.
 */
function chunkedFilterGradient(info: Conv2DInfo, x: Float32Array, dy: Float32Array): Float32Array {
  const { filterHeight, filterWidth, inChannels, outChannels } = info;
  const patch = filterHeight * filterWidth * inChannels;
  const rows = info.batch * info.outHeight;
  const chunks = Math.max(1, Math.min(rows, 32, Math.floor((1 << 20) / (Math.ceil(patch / 4) * 4 * Math.ceil(outChannels / 8) * 8))));
  const rowsPerChunk = Math.ceil(rows / chunks);
  const total = new Float32Array(patch * outChannels);
  for (let rowBegin = 0, slot = 0; rowBegin < rows; rowBegin += rowsPerChunk, slot++) {
    const partial = new Float32Array(patch * outChannels);
    for (let row = rowBegin; row < Math.min(rows, rowBegin + rowsPerChunk); row++) {
      const n = Math.floor(row / info.outHeight);
      const oy = row - n * info.outHeight;
      for (let ox = 0; ox < info.outWidth; ox++) {
        const dyBase = (row * info.outWidth + ox) * outChannels;
        for (let fy = 0; fy < filterHeight; fy++) {
          for (let fx = 0; fx < filterWidth; fx++) {
            const iy = oy * info.strideHeight - info.padTop + fy * info.dilationHeight;
            const ix = ox * info.strideWidth - info.padLeft + fx * info.dilationWidth;
            const inside = iy >= 0 && iy < info.inHeight && ix >= 0 && ix < info.inWidth;
            for (let c = 0; c < inChannels; c++) {
              const value = inside ? x[((n * info.inHeight + iy) * info.inWidth + ix) * inChannels + c] : 0;
              const entry = (fy * filterWidth + fx) * inChannels + c;
              for (let column = 0; column < outChannels; column++) {
                partial[entry * outChannels + column] = Math.fround(partial[entry * outChannels + column] + Math.fround(value * dy[dyBase + column]));
              }
            }
          }
        }
      }
    }
    for (let i = 0; i < total.length; i++) total[i] = slot === 0 ? partial[i] : Math.fround(total[i] + partial[i]);
  }
  return total;
}

/** Filter gradients from a max pool's kind of dy (3 values in 4 zero): the sparse path where it applies. */
const SPARSE_GRADIENT_GEOMETRIES: ConvGeometry[] = [
  geometry(4, 14, 14, 8, 16, [5, 5], [1, 1], [1, 1], [2, 2, 2, 2]),
  geometry(3, 9, 7, 4, 5, [3, 3], [1, 1], [2, 1], [1, 1, 1, 1]),
  geometry(2, 10, 9, 2, 12, [3, 2], [2, 1], [1, 1], [0, 1, 1, 0]),
  // Where the dense loop runs instead: runs of 9 floats (3 x 3 channels), dilation along x.
  geometry(2, 7, 6, 3, 8, [3, 3], [1, 1], [1, 1], [1, 1, 1, 1]),
  geometry(2, 8, 8, 4, 8, [3, 3], [1, 1], [1, 2], [1, 1, 2, 2]),
];

/**
 * One input channel, filters 4 to 8 wide (conv.ts' one-channel sparse path): the CNN's first layer,
 * ragged widths and channel counts (groups of 8 columns), strides, dilation along y, filters taller
 * than a pass of 5 rows, rows longer than a 64-pixel word, and 200 output channels, whose sums leave
 * blocks of 2 rows (a chunk's sums carried from block to block).
 */
const ONE_CHANNEL_SPARSE_GEOMETRIES: ConvGeometry[] = [
  geometry(4, 28, 28, 1, 8, [5, 5], [1, 1], [1, 1], [2, 2, 2, 2]),
  geometry(3, 11, 9, 1, 12, [3, 6], [2, 1], [2, 1], [1, 1, 2, 2]),
  geometry(2, 9, 70, 1, 5, [7, 4], [1, 1], [1, 1], [3, 3, 1, 1]),
  geometry(2, 6, 20, 1, 3, [2, 8], [1, 2], [1, 1], [0, 0, 3, 4]),
  geometry(2, 40, 30, 1, 200, [5, 5], [1, 1], [1, 1], [2, 2, 2, 2]),
  // 5 wide (the pass that gathers tap 4 of the rows into one vector), then a pass of 2 rows; strided, dilated along y.
  geometry(2, 21, 12, 1, 9, [7, 5], [2, 1], [2, 1], [3, 3, 2, 2]),
];

/** `count` random one-channel geometries: batch 1-3, sides 1-30, 1-17 output channels, filters 1-9 wide, stride 1-2, same or valid. */
function randomOneChannelGeometries(count: number, seed: number): ConvGeometry[] {
  const random = seededRandom(seed);
  const between = (low: number, high: number) => low + Math.floor(random() * (high - low + 1));
  const geometries: ConvGeometry[] = [];
  while (geometries.length < count) {
    const filter: [number, number] = [between(1, 7), between(1, 9)];
    const stride: [number, number] = [between(1, 2), between(1, 2)];
    const height = between(1, 30);
    const width = between(1, 30);
    const same = random() < 0.5;
    const pad: [number, number, number, number] = same
      ? [(filter[0] - 1) >> 1, filter[0] >> 1, (filter[1] - 1) >> 1, filter[1] >> 1]
      : [0, 0, 0, 0];
    const g = geometry(between(1, 3), height, width, 1, between(1, 17), filter, stride, [1, 1], pad);
    const info = convInfoOf(g);
    if (info.outHeight > 0 && info.outWidth > 0) geometries.push(g);
  }
  return geometries;
}

/** Copies `values` into wasm memory (when `inside`) or a plain array. */
function place(accelerator: WasmAccelerator, values: Float32Array, inside: boolean): Float32Array {
  const array = inside ? accelerator.allocate!(values.length) : new Float32Array(values.length);
  array.set(values);
  return array;
}

interface ConvCase {
  info: Conv2DInfo;
  x: Float32Array;
  filter: Float32Array;
  dy: Float32Array;
  expected: ReturnType<typeof naiveConv2d>;
}

function convCase(g: ConvGeometry, seed: number): ConvCase {
  const random = seededRandom(seed);
  const info = convInfoOf(g);
  const x = randomFloats(info.batch * info.inHeight * info.inWidth * info.inChannels, random);
  const filter = randomFloats(info.filterHeight * info.filterWidth * info.inChannels * info.outChannels, random);
  const dy = randomFloats(info.batch * info.outHeight * info.outWidth * info.outChannels, random);
  return { info, x, filter, dy, expected: naiveConv2d(info, x, filter, dy) };
}

// Both kernel builds (relaxed SIMD fuses the micro-kernels' multiply-adds: same tolerances).
const INSTRUCTION_SETS: WasmInstructionSet[] = ['simd128', 'relaxed-simd'];

describe.each(INSTRUCTION_SETS)('wasm direct convolution (%s kernels)', (instructionSet) => {
  let single: WasmAccelerator;
  let threaded: WasmAccelerator;
  let unshared: WasmAccelerator;

  beforeAll(async () => {
    single = await createWasmAccelerator({ threads: 1, instructionSet });
    threaded = await createWasmAccelerator({ threads: 2, instructionSet });
    unshared = await createWasmAccelerator({ sharedMemory: false, instructionSet });
  });
  afterAll(() => {
    single.dispose();
    threaded.dispose();
    unshared.dispose();
  });

  GEOMETRIES.forEach((g, index) => {
    it(`matches the naive loops, threads on and off: ${describeConvGeometry(g)}`, () => {
      const { info, x, filter, dy, expected } = convCase(g, 40 + index);
      const results: Float32Array[][] = [];
      for (const [variant, accelerator] of [single, threaded, unshared].entries()) {
        // Operands in wasm memory and outside it, in both combinations (the unshared build has no allocate).
        const inside = accelerator !== unshared && variant % 2 === 0;
        const dyInside = accelerator !== unshared && !inside;
        const out = new Float32Array(expected.out.length);
        const dx = new Float32Array(expected.dx.length);
        const dFilter = new Float32Array(expected.dFilter.length);
        expect(accelerator.conv2d!(place(accelerator, x, inside), place(accelerator, filter, inside), out, info)).toBe(true);
        expectClose(out, expected.out, 1e-4, 1e-4);
        const strided = info.strideHeight !== 1 || info.strideWidth !== 1;
        expect(accelerator.conv2dBackpropInput!(place(accelerator, dy, dyInside), place(accelerator, filter, inside), dx, info))
          .toBe(!strided);
        if (!strided) expectClose(dx, expected.dx, 1e-4, 1e-4);
        expect(accelerator.conv2dBackpropFilter!(place(accelerator, x, inside), place(accelerator, dy, dyInside), dFilter, info)).toBe(true);
        expectClose(dFilter, expected.dFilter, 1e-3, 1e-4);
        results.push([out, dx, dFilter]);
      }
      // Chunks never change how a value is summed: one thread and two give the same bits.
      for (const [output, single] of results[0].entries()) expectSameBits(results[1][output], single);
    });
  });

  GEOMETRIES.forEach((g, index) => {
    it(`adds the bias and applies the activation as it stores, bit for bit as the separate ops: ${describeConvGeometry(g)}`, () => {
      const { info, x, filter } = convCase(g, 70 + index);
      const random = seededRandom(90 + index);
      const bias = randomFloats(info.outChannels, random);
      const plain = new Float32Array(info.batch * info.outHeight * info.outWidth * info.outChannels);
      expect(single.conv2d!(x, filter, plain, info)).toBe(true);
      // The separate ops: a float32 add of the bias, then relu as the reference writes it (x < 0 ? 0 : x).
      const withBias = plain.map((value, i) => value + bias[i % info.outChannels]);
      const expected: Record<'linear' | 'relu', Float32Array> = { linear: withBias, relu: withBias.map((value) => (value < 0 ? 0 : value)) };
      for (const accelerator of [single, threaded, unshared]) {
        const inside = accelerator !== unshared;
        for (const activation of ['linear', 'relu'] as const) {
          const out = new Float32Array(plain.length);
          expect(accelerator.conv2d!(place(accelerator, x, inside), place(accelerator, filter, inside), out, info,
            place(accelerator, bias, inside), activation)).toBe(true);
          expectSameBits(out, expected[activation]);
        }
        // relu without a bias: no add at all (an add of 0 would turn -0 into +0).
        const reluOnly = new Float32Array(plain.length);
        expect(accelerator.conv2d!(x, filter, reluOnly, info, null, 'relu')).toBe(true);
        expectSameBits(reluOnly, plain.map((value) => (value < 0 ? 0 : value)));
        // sigmoid and tanh use the vector approximations of the fused matmul (a few ulps).
        const tanhOut = new Float32Array(plain.length);
        expect(accelerator.conv2d!(x, filter, tanhOut, info, bias, 'tanh')).toBe(true);
        expectClose(tanhOut, withBias.map(Math.tanh), 1e-6, 1e-5);
      }
      // A bias of the wrong length is declined (the op checks it before).
      expect(single.conv2d!(x, filter, new Float32Array(plain.length), info, new Float32Array(info.outChannels + 1), 'relu')).toBe(false);
    });
  });

  ROW_WRAP_GEOMETRIES.forEach((g, index) => it.each([false, true])(
    `sums each output as the kernel's order defines, tiles wrapping across rows (mostly zero inputs: %s): ${describeConvGeometry(g)}`,
    (sparse) => {
      const { info, x: denseX, filter, dy: denseDy, expected: denseExpected } = convCase(g, 120 + index);
      // 3 values in 4 zero (some -0) and a NaN, as the input gradient below a max pool sees them.
      const random = seededRandom(140 + index);
      const thin = (values: Float32Array) => values.map((value) => (random() < 0.75 ? (random() < 0.1 ? -0 : 0) : value));
      const x = sparse ? thin(denseX) : denseX;
      const dy = sparse ? thin(denseDy) : denseDy;
      if (sparse && index === 1) dy[3] = Number.NaN;
      const expected = sparse ? naiveConv2d(info, x, filter, dy) : denseExpected;
      const forward = sequentialConv2d(info, x, filter, dy, false);
      const strided = info.strideHeight !== 1 || info.strideWidth !== 1;
      const inputGradient = strided ? null : sequentialConv2d(info, x, filter, dy, true);
      const results: Float32Array[][] = [];
      for (const accelerator of [single, threaded]) {
        const out = new Float32Array(forward.length);
        expect(accelerator.conv2d!(place(accelerator, x, true), place(accelerator, filter, true), out, info)).toBe(true);
        const dx = new Float32Array(expected.dx.length);
        expect(accelerator.conv2dBackpropInput!(place(accelerator, dy, true), filter, dx, info)).toBe(!strided);
        // SIMD128 rounds each product and each sum as the sequential loop does; relaxed SIMD fuses them.
        if (instructionSet === 'simd128') {
          expectSameBits(out, forward);
          if (inputGradient) expectSameBits(dx, inputGradient);
        } else {
          expectClose(out, expected.out, 1e-4, 1e-4);
          if (inputGradient) expectClose(dx, expected.dx, 1e-4, 1e-4);
        }
        results.push([out, dx]);
      }
      for (const [output, oneThread] of results[0].entries()) expectSameBits(results[1][output], oneThread);
      // With a bias and relu, stored after the sums: the separate float32 add and relu of the plain sums.
      const bias = randomFloats(info.outChannels, random);
      const out = new Float32Array(forward.length);
      expect(threaded.conv2d!(place(threaded, x, true), filter, out, info, bias, 'relu')).toBe(true);
      expectSameBits(out, results[1][0].map((value, i) => {
        const withBias = Math.fround(value + bias[i % info.outChannels]);
        return withBias < 0 ? 0 : withBias;
      }));
    },
  ));

  SPARSE_GRADIENT_GEOMETRIES.forEach((g, index) => {
    it(`sums a mostly zero dy's filter gradient as the dense loop does: ${describeConvGeometry(g)}`, () => {
      const { info, x, dy: denseDy } = convCase(g, 150 + index);
      const random = seededRandom(170 + index);
      // 3 values in 4 zero (some -0); a NaN in one case, an infinite input (the dense loop's) in another.
      const dy = denseDy.map((value) => (random() < 0.75 ? (random() < 0.1 ? -0 : 0) : value));
      if (index === 1) dy[37] = Number.NaN;
      if (index === 2) x[11] = Infinity;
      const expected = chunkedFilterGradient(info, x, dy);
      const results: Float32Array[] = [];
      for (const accelerator of [single, threaded]) {
        const dFilter = new Float32Array(expected.length);
        expect(accelerator.conv2dBackpropFilter!(place(accelerator, x, true), place(accelerator, dy, true), dFilter, info)).toBe(true);
        if (instructionSet === 'simd128') expectSameBits(dFilter, expected);
        results.push(dFilter);
      }
      expectSameBits(results[1], results[0]);
    });
  });

  [...ONE_CHANNEL_SPARSE_GEOMETRIES, ...randomOneChannelGeometries(12, 7)].forEach((g, index) => {
    it(`sums a mostly zero dy's one-channel filter gradient as the dense loop does: ${describeConvGeometry(g)}`, () => {
      const { info, x, dy: denseDy } = convCase(g, 210 + index);
      const random = seededRandom(230 + index);
      // A max pool's kind of gradient: 3 values in 4 zero (some -0); a NaN in one case, an infinite input in another.
      const dy = denseDy.map((value) => (random() < 0.75 ? (random() < 0.1 ? -0 : 0) : value));
      if (index === 1) dy[dy.length >> 1] = Number.NaN;
      if (index === 2) x[x.length >> 1] = Infinity;
      const expected = chunkedFilterGradient(info, x, dy);
      const results: Float32Array[] = [];
      for (const accelerator of [single, threaded]) {
        const dFilter = new Float32Array(expected.length);
        expect(accelerator.conv2dBackpropFilter!(place(accelerator, x, true), place(accelerator, dy, true), dFilter, info)).toBe(true);
        if (instructionSet === 'simd128') expectSameBits(dFilter, expected);
        else expectClose(dFilter, expected, 1e-4, 1e-4);
        results.push(dFilter);
      }
      expectSameBits(results[1], results[0]);
    });
  });

  it('declines the shapes im2col does better, and empty geometries', () => {
    const wide = convInfoOf(geometry(1, 6, 6, 200, 4, [3, 3], [1, 1], [1, 1], [1, 1, 1, 1]));
    const x = new Float32Array(6 * 6 * 200);
    const filter = new Float32Array(3 * 3 * 200 * 4);
    expect(threaded.conv2d!(x, filter, new Float32Array(6 * 6 * 4), wide)).toBe(false);
    expect(threaded.conv2dBackpropFilter!(x, new Float32Array(6 * 6 * 4), filter, wide)).toBe(false);
    // A filter gradient this large, and an input gradient with few input but many output channels, go to im2col.
    const bigFilter = convInfoOf(geometry(1, 6, 6, 64, 32, [3, 3], [1, 1], [1, 1], [1, 1, 1, 1]));
    const bigX = new Float32Array(6 * 6 * 64);
    const bigDy = new Float32Array(6 * 6 * 32);
    expect(threaded.conv2d!(bigX, new Float32Array(3 * 3 * 64 * 32), bigDy, bigFilter)).toBe(true);
    expect(threaded.conv2dBackpropFilter!(bigX, bigDy, new Float32Array(3 * 3 * 64 * 32), bigFilter)).toBe(false);
    const narrow = convInfoOf(geometry(1, 6, 6, 2, 32, [3, 3], [1, 1], [1, 1], [1, 1, 1, 1]));
    expect(threaded.conv2dBackpropInput!(new Float32Array(6 * 6 * 32), new Float32Array(3 * 3 * 2 * 32), new Float32Array(6 * 6 * 2), narrow))
      .toBe(false);
    const empty = { ...convInfoOf(geometry(1, 4, 4, 2, 3, [3, 3], [1, 1], [1, 1], [1, 1, 1, 1])), batch: 0 };
    expect(threaded.conv2d!(new Float32Array(0), new Float32Array(54), new Float32Array(0), empty)).toBe(false);
  });

  it('declines an output that overlaps an input', () => {
    const info = convInfoOf(geometry(1, 6, 6, 2, 2, [3, 3], [1, 1], [1, 1], [1, 1, 1, 1]));
    const shared = threaded.allocate!(6 * 6 * 2 + 36);
    const x = shared.subarray(0, 72);
    expect(threaded.conv2d!(x, new Float32Array(36), shared.subarray(36, 108), info)).toBe(false);
  });

  it('runs inside the CPU backend: direct where it applies, im2col elsewhere, same results', () => {
    const backend = createCpuBackend({ accelerator: threaded });
    const reference = createCpuBackend();
    for (const [index, g] of [GEOMETRIES[1], GEOMETRIES[6], geometry(1, 6, 6, 200, 4, [3, 3], [1, 1], [1, 1], [1, 1, 1, 1])].entries()) {
      const { info, x, filter, dy, expected } = convCase(g, 90 + index);
      const xShape = [info.batch, info.inHeight, info.inWidth, info.inChannels];
      const filterShape = [info.filterHeight, info.filterWidth, info.inChannels, info.outChannels];
      const dyShape = [info.batch, info.outHeight, info.outWidth, info.outChannels];
      for (const target of [backend, reference]) {
        const xTensor = tensorOf(target, x, xShape);
        const filterTensor = tensorOf(target, filter, filterShape);
        const dyTensor = tensorOf(target, dy, dyShape);
        expectClose(readValues(target, target.conv2d(xTensor, filterTensor, info)), expected.out, 1e-3, 1e-4);
        expectClose(readValues(target, target.conv2dBackpropInput(dyTensor, filterTensor, info)), expected.dx, 1e-3, 1e-4);
        expectClose(readValues(target, target.conv2dBackpropFilter(xTensor, dyTensor, info)), expected.dFilter, 1e-3, 1e-4);
      }
    }
  });
});
