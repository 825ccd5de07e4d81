/**
 * Shared helpers of the CPU kernel tests: seeded random inputs, upload/read shorthands, and the
 * index arithmetic the naive reference loops use. Not part of the public API.
 */
import { expect } from 'vitest';
import type { BinaryOp, DataId, DType, TensorInfo, TypedArray } from '../../backend/backend.js';
import type { CpuBackend } from './cpu-backend.js';
import { sizeOfShape, stridesOf } from './strides.js';

/** A deterministic generator of numbers in [0, 1) (mulberry32). */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** `size` uniform float32 values in [low, high). */
export function randomFloats(size: number, random: () => number, low = -1, high = 1): Float32Array {
  const values = new Float32Array(size);
  for (let i = 0; i < size; i++) values[i] = low + (high - low) * random();
  return values;
}

/** `size` uniform int32 values in [low, high). */
export function randomInts(size: number, random: () => number, low: number, high: number): Int32Array {
  const values = new Int32Array(size);
  for (let i = 0; i < size; i++) values[i] = low + Math.floor((high - low) * random());
  return values;
}

/** Upload a copy of `values` and describe it as a tensor of `shape`. */
export function tensorOf(backend: CpuBackend, values: TypedArray, shape: readonly number[]): TensorInfo {
  const dtype: DType = values instanceof Int32Array ? 'int32' : 'float32';
  return { dataId: backend.upload(values.slice(), shape, dtype), shape, dtype };
}

/** The values of a buffer, read synchronously. */
export function readValues(backend: CpuBackend, dataId: DataId, dtype: DType = 'float32'): TypedArray {
  return backend.readSync(dataId, dtype);
}

/** Multi-index of flat `index` in a row-major `shape`. */
export function unravel(index: number, shape: readonly number[]): number[] {
  const coordinates = new Array<number>(shape.length);
  for (let axis = shape.length - 1; axis >= 0; axis--) {
    coordinates[axis] = index % shape[axis];
    index = Math.floor(index / shape[axis]);
  }
  return coordinates;
}

/** Flat index of `coordinates` in a row-major `shape`. */
export function ravel(coordinates: readonly number[], shape: readonly number[]): number {
  const strides = stridesOf(shape);
  let index = 0;
  for (let axis = 0; axis < shape.length; axis++) index += coordinates[axis] * strides[axis];
  return index;
}

/** Flat index into an input of `inputShape` broadcast to the output `outCoordinates`. */
export function broadcastIndex(outCoordinates: readonly number[], inputShape: readonly number[]): number {
  const offset = outCoordinates.length - inputShape.length;
  const coordinates = inputShape.map((size, axis) => (size === 1 ? 0 : outCoordinates[axis + offset]));
  return ravel(coordinates, inputShape);
}

/** NumPy broadcast of two shapes. */
export function broadcastShapes(a: readonly number[], b: readonly number[]): number[] {
  const rank = Math.max(a.length, b.length);
  const out: number[] = [];
  for (let axis = 0; axis < rank; axis++) {
    const sizeA = a[axis - (rank - a.length)] ?? 1;
    const sizeB = b[axis - (rank - b.length)] ?? 1;
    out.push(sizeA === 1 ? sizeB : sizeA);
  }
  return out;
}

/** Element count, for test shapes. */
export const sizeOf = sizeOfShape;

/** Every element within `absolute + relative * |expected|`, NaN matching NaN; reports the first miss. */
export function expectClose(
  actual: ArrayLike<number>, expected: ArrayLike<number>, absolute = 1e-5, relative = 1e-5,
): void {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i];
    const e = expected[i];
    if (Number.isNaN(e)) {
      if (!Number.isNaN(a)) expect.fail(`index ${i}: expected NaN, got ${a}`);
      continue;
    }
    if (e === a) continue;
    if (!(Math.abs(a - e) <= absolute + relative * Math.abs(e))) {
      expect.fail(`index ${i}: expected ${e}, got ${a} (difference ${Math.abs(a - e)})`);
    }
  }
}

/** Naive batched product with broadcast batch dims, reading transposed operands by index. */
export function naiveMatmul(
  a: ArrayLike<number>, aShape: number[], b: ArrayLike<number>, bShape: number[],
  transposeA: boolean, transposeB: boolean,
): { values: Float32Array; shape: number[] } {
  const rank = aShape.length;
  const m = transposeA ? aShape[rank - 1] : aShape[rank - 2];
  const k = transposeA ? aShape[rank - 2] : aShape[rank - 1];
  const n = transposeB ? bShape[rank - 2] : bShape[rank - 1];
  const batchShape = broadcastShapes(aShape.slice(0, -2), bShape.slice(0, -2));
  const values = new Float32Array(sizeOf(batchShape) * m * n);
  for (let batch = 0; batch < sizeOf(batchShape); batch++) {
    const coordinates = unravel(batch, batchShape);
    const aBase = broadcastIndex(coordinates, aShape.slice(0, -2)) * m * k;
    const bBase = broadcastIndex(coordinates, bShape.slice(0, -2)) * k * n;
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        let sum = 0;
        for (let p = 0; p < k; p++) {
          const aValue = transposeA ? a[aBase + p * m + i] : a[aBase + i * k + p];
          const bValue = transposeB ? b[bBase + j * k + p] : b[bBase + p * n + j];
          sum += aValue * bValue;
        }
        values[(batch * m + i) * n + j] = sum;
      }
    }
  }
  return { values, shape: [...batchShape, m, n] };
}

/** The same float32 bits everywhere (NaN payloads aside: any NaN matches any NaN); reports the first difference. */
export function expectSameBits(actual: ArrayLike<number>, expected: ArrayLike<number>): void {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i];
    const e = expected[i];
    if (Object.is(a, e) || (Number.isNaN(a) && Number.isNaN(e))) continue;
    expect.fail(`index ${i}: expected ${Object.is(e, -0) ? '-0' : e}, got ${Object.is(a, -0) ? '-0' : a}`);
  }
}

/** Plain-number reference of every binary op (comparisons give 0/1), shared by the kernel tests. */
export const BINARY_REFERENCE: Readonly<Record<BinaryOp, (a: number, b: number) => number>> = {
  add: (a, b) => a + b,
  sub: (a, b) => a - b,
  mul: (a, b) => a * b,
  div: (a, b) => a / b,
  pow: Math.pow,
  maximum: Math.max,
  minimum: Math.min,
  equal: (a, b) => Number(a === b),
  notEqual: (a, b) => Number(a !== b),
  less: (a, b) => Number(a < b),
  lessEqual: (a, b) => Number(a <= b),
  greater: (a, b) => Number(a > b),
  greaterEqual: (a, b) => Number(a >= b),
};
