import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Conv2DInfo, FusedActivation } from '../../../backend/backend.js';
import { convInfoOf, describeConvGeometry, type ConvGeometry } from '../conv-test-helpers.js';
import { expectSameBits, randomFloats, seededRandom } from '../test-helpers.js';
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
  // The bench CNN's two layers (fewer images).
  geometry(3, 28, 28, 1, 8, [5, 5], [1, 1], [1, 1], [2, 2, 2, 2]),
  geometry(5, 14, 14, 8, 16, [5, 5], [1, 1], [1, 1], [2, 2, 2, 2]),
  // Odd outputs (a dropped last row and column), ragged panels (3, 12, 17 channels), strides, dilation, no padding.
  geometry(2, 7, 9, 3, 12, [3, 3], [1, 1], [1, 1], [1, 1, 1, 1]),
  geometry(3, 11, 9, 2, 3, [3, 2], [2, 1], [1, 1], [0, 0, 0, 0]),
  geometry(2, 10, 8, 4, 17, [3, 3], [1, 2], [2, 1], [2, 2, 0, 3]),
  geometry(1, 2, 2, 5, 8, [1, 1], [1, 1], [1, 1], [0, 0, 0, 0]),
];

/**
 * The 2x2 max pool in plain loops with pool2dBackward's choice of cell (a later cell when strictly
 * greater, or NaN over a number): the pooled values and their cells' flat indices.
 */
function poolWithIndices(convolved: Float32Array, batch: number, height: number, width: number, channels: number) {
  const pooledHeight = Math.floor(height / 2);
  const pooledWidth = Math.floor(width / 2);
  const pooled = new Float32Array(batch * pooledHeight * pooledWidth * channels);
  const indices = new Int32Array(pooled.length);
  let target = 0;
  for (let n = 0; n < batch; n++) {
    for (let py = 0; py < pooledHeight; py++) {
      for (let px = 0; px < pooledWidth; px++) {
        for (let c = 0; c < channels; c++, target++) {
          const cells = [[0, 0], [0, 1], [1, 0], [1, 1]].map(([dy, dx]) => ((n * height + py * 2 + dy) * width + px * 2 + dx) * channels + c);
          let best = cells[0];
          for (const cell of cells.slice(1)) {
            const value = convolved[cell];
            if (value > convolved[best] || (Number.isNaN(value) && !Number.isNaN(convolved[best]))) best = cell;
          }
          pooled[target] = convolved[best];
          indices[target] = best;
        }
      }
    }
  }
  return { pooled, indices };
}

/** The reference: the accelerator's own fused convolution, then the pool above. */
function reference(accelerator: WasmAccelerator, info: Conv2DInfo, x: Float32Array, filter: Float32Array, bias: Float32Array, activation: FusedActivation) {
  const { batch, outHeight, outWidth, outChannels } = info;
  const convolved = new Float32Array(batch * outHeight * outWidth * outChannels);
  expect(accelerator.conv2d!(x, filter, convolved, info, bias, activation)).toBe(true);
  return { ...poolWithIndices(convolved, batch, outHeight, outWidth, outChannels), convolved };
}

const INSTRUCTION_SETS: WasmInstructionSet[] = ['simd128', 'relaxed-simd'];

describe.each(INSTRUCTION_SETS)('wasm convolution + 2x2 max pool (%s kernels)', (instructionSet) => {
  let single: WasmAccelerator;
  let threaded: WasmAccelerator;
  beforeAll(async () => {
    single = await createWasmAccelerator({ threads: 1, instructionSet });
    threaded = await createWasmAccelerator({ threads: 2, instructionSet });
  });
  afterAll(() => {
    single.dispose();
    threaded.dispose();
  });

  GEOMETRIES.forEach((g, index) => {
    it(`pools each tile as the convolution stores it, the same bits on 1 and 2 threads: ${describeConvGeometry(g)}`, () => {
      const random = seededRandom(200 + index);
      const info = convInfoOf(g);
      const x = randomFloats(info.batch * info.inHeight * info.inWidth * info.inChannels, random);
      const filter = randomFloats(info.filterHeight * info.filterWidth * info.inChannels * info.outChannels, random);
      const bias = randomFloats(info.outChannels, random);
      // A NaN input spreads into the windows that read it: the pool must pick NaN as pool2d does.
      if (index === 2) x[17] = Number.NaN;
      for (const activation of ['relu', 'linear'] as const) {
        const expected = reference(single, info, x, filter, bias, activation);
        for (const accelerator of [single, threaded]) {
          const pooled = new Float32Array(expected.pooled.length);
          const indices = new Int32Array(expected.pooled.length);
          expect(accelerator.conv2dMaxPool!(x, filter, bias, activation, info, pooled, indices)).toBe(true);
          expectSameBits(pooled, expected.pooled);
          expect(Array.from(indices)).toEqual(Array.from(expected.indices));
          // The gradient's scatter: each value at its cell, zeros elsewhere, the same as a plain loop.
          const dy = randomFloats(pooled.length, random);
          const dx = new Float32Array(expected.convolved.length).fill(Number.NaN);
          const cellsPerImage = expected.convolved.length / info.batch;
          expect(accelerator.maxPoolScatter!(dy, indices, dx, info.batch, pooled.length / info.batch, cellsPerImage)).toBe(true);
          const scattered = new Float32Array(dx.length);
          indices.forEach((cell, i) => { scattered[cell] = dy[i]; });
          expectSameBits(dx, scattered);
        }
      }
    });
  });

  it('pools one-channel convolutions of random shapes in registers as the separate pool does (ties, -0 and NaN included)', () => {
    const random = seededRandom(260);
    const between = (low: number, high: number) => low + Math.floor(random() * (high - low + 1));
    for (let trial = 0; trial < 24; trial++) {
      const filter: [number, number] = [between(1, 6), between(1, 6)];
      const same = random() < 0.5;
      const pad: [number, number, number, number] = same
        ? [(filter[0] - 1) >> 1, filter[0] >> 1, (filter[1] - 1) >> 1, filter[1] >> 1]
        : [0, 0, 0, 0];
      const g = geometry(between(1, 3), between(1, 30), between(1, 30), 1, between(1, 17), filter, [between(1, 2), between(1, 2)], [1, 1], pad);
      const info = convInfoOf(g);
      if (info.outHeight < 2 || info.outWidth < 2) continue;
      // Every third trial: values in {-1, -0, 0, 1}, so that ties (the first cell wins) and -0 are frequent.
      const small = trial % 3 === 0;
      const draw = (length: number) => (small
        ? Float32Array.from({ length }, () => [-1, -0, 0, 1][between(0, 3)])
        : randomFloats(length, random));
      const x = draw(info.batch * info.inHeight * info.inWidth);
      const weights = draw(info.filterHeight * info.filterWidth * info.outChannels);
      const bias = random() < 0.5 ? null : draw(info.outChannels);
      if (trial % 5 === 1) x[between(0, x.length - 1)] = Number.NaN;
      const activation = random() < 0.5 ? 'relu' : 'linear';
      const convolved = new Float32Array(info.batch * info.outHeight * info.outWidth * info.outChannels);
      expect(single.conv2d!(x, weights, convolved, info, bias, activation)).toBe(true);
      const expected = poolWithIndices(convolved, info.batch, info.outHeight, info.outWidth, info.outChannels);
      for (const accelerator of [single, threaded]) {
        const pooled = new Float32Array(expected.pooled.length);
        const indices = new Int32Array(expected.pooled.length);
        expect(accelerator.conv2dMaxPool!(x, weights, bias, activation, info, pooled, indices), describeConvGeometry(g)).toBe(true);
        expectSameBits(pooled, expected.pooled);
        expect(Array.from(indices)).toEqual(Array.from(expected.indices));
      }
    }
  });

  it('pools an already computed NHWC tensor with the same rule (ties and NaN included), on 1 and 2 threads', () => {
    for (const [batch, height, width, channels] of [[4, 28, 28, 8], [3, 7, 9, 3], [2, 6, 5, 13], [5, 2, 3, 1]]) {
      const random = seededRandom(300 + channels);
      // Small integers: frequent ties, where the first maximal cell must win; one NaN.
      const x = Float32Array.from(randomFloats(batch * height * width * channels, random), (value) => Math.round(value * 2));
      x[5] = Number.NaN;
      const expected = poolWithIndices(x, batch, height, width, channels);
      for (const accelerator of [single, threaded]) {
        const pooled = new Float32Array(expected.pooled.length);
        const indices = new Int32Array(expected.pooled.length);
        expect(accelerator.maxPoolWithIndices!(x, pooled, indices, batch, height, width, channels)).toBe(true);
        expectSameBits(pooled, expected.pooled);
        expect(Array.from(indices)).toEqual(Array.from(expected.indices));
      }
    }
  });

  it('ignores scatter indices outside their own image, and declines what it cannot take', () => {
    const dx = new Float32Array(8).fill(5);
    // Image 0 owns cells 0-3, image 1 cells 4-7: -1, 4 (image 1's) in image 0 and 99 are skipped.
    expect(threaded.maxPoolScatter!(new Float32Array([1, 2, 3, 4]), new Int32Array([-1, 4, 6, 99]), dx, 2, 2, 4)).toBe(true);
    expectSameBits(dx, [0, 0, 0, 0, 0, 0, 3, 0]);
    const info = convInfoOf(geometry(1, 3, 3, 2, 4, [3, 3], [1, 1], [1, 1], [0, 0, 0, 0]));
    // A 1x1 convolution output has nothing to pool.
    expect(threaded.conv2dMaxPool!(new Float32Array(18), new Float32Array(72), null, 'relu', info, new Float32Array(4), new Int32Array(4))).toBe(false);
    // A patch wider than the direct kernel takes.
    const wide = convInfoOf(geometry(1, 4, 4, 200, 4, [3, 3], [1, 1], [1, 1], [1, 1, 1, 1]));
    expect(threaded.conv2dMaxPool!(new Float32Array(3200), new Float32Array(7200), null, 'relu', wide, new Float32Array(16), new Int32Array(16))).toBe(false);
  });
});
