import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BinaryOp, UnaryOp } from '../../../backend/backend.js';
import { BINARY_REFERENCE, expectSameBits } from '../test-helpers.js';
import { createWasmAccelerator, type WasmAccelerator } from './index.js';

/** Values across the interesting ranges: small, moderate, huge, subnormal-producing, and specials. */
function testValues(length: number, seed: number, scale: number): Float32Array {
  const values = new Float32Array(length);
  let state = seed >>> 0 || 1;
  const specials = [0, -0, Number.NaN, Infinity, -Infinity, 1e-30, -1e-30, 88.7, 89, -87.4, -100, -104, 1e-4, -0.624, 0.626, 20];
  for (let i = 0; i < length; i++) {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    values[i] = i % 97 < specials.length ? specials[i % 97] : (((state >>> 0) / 4294967296) * 2 - 1) * scale;
  }
  return values;
}

/** The reference semantics of the TypeScript kernels, in float64. */
const UNARY_REFERENCE: Partial<Record<UnaryOp, (x: number) => number>> = {
  relu: (x) => (x < 0 ? 0 : x),
  sigmoid: (x) => (x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x))),
  tanh: Math.tanh,
  exp: Math.exp,
  neg: (x) => -x,
  abs: Math.abs,
  sqrt: Math.sqrt,
};
const TRANSCENDENTAL: ReadonlySet<UnaryOp> = new Set<UnaryOp>(['sigmoid', 'tanh', 'exp']);

// pow stays on the TypeScript path; the accelerator handles every other binary op.
const ACCELERATED_BINARY_OPS = (Object.keys(BINARY_REFERENCE) as BinaryOp[]).filter((op) => op !== 'pow');

/** Index of the first element that differs beyond tolerance, or -1. */
function firstMismatch(got: Float32Array, expected: (index: number) => number, relativeTolerance: number): number {
  for (let i = 0; i < got.length; i++) {
    const want = Math.fround(expected(i));
    const value = got[i];
    if (Object.is(value, want)) continue;
    if (relativeTolerance > 0 && Number.isFinite(want) && Math.abs(value - want) <= relativeTolerance * Math.abs(want) + 1e-44) continue;
    return i;
  }
  return -1;
}

describe('wasm elementwise kernels', () => {
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

  // 16384 is the smallest accepted length; the others leave ragged ends and split across threads.
  const lengths = [16384, 16387, 100_003, 300_001];

  it('unary ops match the reference (exact, or within 1e-6 relative for exp, sigmoid and tanh)', () => {
    let variant = 0;
    for (const op of Object.keys(UNARY_REFERENCE) as UnaryOp[]) {
      const reference = UNARY_REFERENCE[op]!;
      for (const length of lengths) {
        for (const accelerator of [single, threaded]) {
          variant++;
          const inside = variant % 2 === 0;
          const x = testValues(length, variant, op === 'exp' ? 90 : 12);
          const xPlaced = inside ? accelerator.allocate!(length) : new Float32Array(length);
          xPlaced.set(x);
          const out = variant % 3 === 0 ? new Float32Array(length) : accelerator.allocate!(length);
          expect(accelerator.unary!(op, xPlaced, out)).toBe(true);
          const mismatch = firstMismatch(out, (i) => reference(x[i]), TRANSCENDENTAL.has(op) ? 1e-6 : 0);
          if (mismatch >= 0) expect.fail(`${op}(${x[mismatch]}) = ${out[mismatch]}, expected ${Math.fround(reference(x[mismatch]))} (length ${length})`);
        }
      }
    }
  });

  it('exp, sigmoid and tanh stay within 1e-6 relative over a dense sweep of inputs', () => {
    const length = 1 << 18;
    const x = threaded.allocate!(length);
    const out = threaded.allocate!(length);
    for (let i = 0; i < length; i++) x[i] = -110 + (200 * i) / length;
    for (const op of ['exp', 'sigmoid', 'tanh'] as const) {
      expect(threaded.unary!(op, x, out)).toBe(true);
      const mismatch = firstMismatch(out, (i) => UNARY_REFERENCE[op]!(x[i]), 1e-6);
      if (mismatch >= 0) expect.fail(`${op}(${x[mismatch]}) = ${out[mismatch]}, expected ${Math.fround(UNARY_REFERENCE[op]!(x[mismatch]))}`);
    }
    // Near zero tanh is x itself to float32 precision (no cancellation).
    for (let i = 0; i < length; i++) x[i] = (i - length / 2) * 1e-9;
    expect(threaded.unary!('tanh', x, out)).toBe(true);
    expect(firstMismatch(out, (i) => Math.tanh(x[i]), 1e-6)).toBe(-1);
  });

  it('unary works in place', () => {
    const x = threaded.allocate!(70_000);
    for (let i = 0; i < x.length; i++) x[i] = i - 35_000;
    expect(threaded.unary!('relu', x, x)).toBe(true);
    expect(x.every((value, i) => value === Math.max(0, i - 35_000))).toBe(true);
  });

  it("relu's gradient is mul(dy, greater(output, 0)) to the bit, specials included, in place too", () => {
    let variant = 0;
    for (const length of lengths) {
      for (const accelerator of [single, threaded]) {
        variant++;
        const dy = testValues(length, variant * 5, 4);
        // relu outputs (0, -0, NaN, +Infinity and positives) with the specials at other positions than dy's.
        const output = testValues(length, variant * 5 + 1, 8).map((value) => (value < 0 ? 0 : value)).reverse();
        const mask = output.map((value) => (value > 0 ? 1 : 0));
        const expected = dy.map((value, i) => value * mask[i]);
        const dyPlaced = variant % 2 === 0 ? accelerator.allocate!(length) : new Float32Array(length);
        dyPlaced.set(dy);
        const out = variant % 3 === 0 ? new Float32Array(length) : accelerator.allocate!(length);
        expect(accelerator.reluGrad!(dyPlaced, output, out)).toBe(true);
        expectSameBits(out, expected);
        // In place over dy (the backend may reuse a dead gradient's buffer).
        if (variant % 2 === 0) {
          expect(accelerator.reluGrad!(dyPlaced, output, dyPlaced)).toBe(true);
          expectSameBits(dyPlaced, expected);
        }
      }
    }
    // Too short for a call into wasm, or lengths that disagree: declined (the TypeScript loop runs).
    expect(threaded.reluGrad!(new Float32Array(100), new Float32Array(100), new Float32Array(100))).toBe(false);
    expect(threaded.reluGrad!(new Float32Array(20_000), new Float32Array(20_001), new Float32Array(20_000))).toBe(false);
  });

  it('binary ops match the reference exactly for same-shape and scalar operands', () => {
    let variant = 0;
    for (const op of ACCELERATED_BINARY_OPS) {
      const reference = BINARY_REFERENCE[op];
      for (const length of lengths) {
        for (const accelerator of [single, threaded]) {
          variant++;
          const a = testValues(length, variant * 2, 50);
          const b = testValues(length, variant * 2 + 1, 3);
          b.reverse();
          const aPlaced = variant % 2 === 0 ? accelerator.allocate!(length) : new Float32Array(length);
          aPlaced.set(a);
          const out = variant % 3 === 0 ? new Float32Array(length) : accelerator.allocate!(length);
          expect(accelerator.binary!(op, aPlaced, b, out)).toBe(true);
          let mismatch = firstMismatch(out, (i) => reference(a[i], b[i]), 0);
          if (mismatch >= 0) expect.fail(`${a[mismatch]} ${op} ${b[mismatch]} = ${out[mismatch]}`);
          const scalar = new Float32Array([variant % 4 === 0 ? -0.75 : 2.5]);
          expect(accelerator.binary!(op, aPlaced, scalar, out)).toBe(true);
          mismatch = firstMismatch(out, (i) => reference(a[i], scalar[0]), 0);
          if (mismatch >= 0) expect.fail(`${a[mismatch]} ${op} scalar ${scalar[0]} = ${out[mismatch]}`);
          expect(accelerator.binary!(op, scalar, aPlaced, out)).toBe(true);
          mismatch = firstMismatch(out, (i) => reference(scalar[0], a[i]), 0);
          if (mismatch >= 0) expect.fail(`scalar ${scalar[0]} ${op} ${a[mismatch]} = ${out[mismatch]}`);
        }
      }
    }
  });

  it('sumLastAxis matches a float64 sum rounded once', () => {
    const shapes: Array<[number, number]> = [[128, 128], [1000, 17], [3, 10_001], [5000, 4], [4099, 33], [1, 16_384]];
    let variant = 0;
    for (const [rows, cols] of shapes) {
      for (const accelerator of [single, threaded]) {
        variant++;
        const x = new Float32Array(rows * cols);
        for (let i = 0; i < x.length; i++) x[i] = Math.sin(i * 12.9898 + variant) * 1000;
        const xPlaced = variant % 2 === 0 ? accelerator.allocate!(x.length) : x;
        xPlaced.set(x);
        const out = new Float32Array(rows);
        expect(accelerator.sumLastAxis!(xPlaced, out, rows, cols)).toBe(true);
        for (let row = 0; row < rows; row++) {
          let sum = 0;
          let magnitude = 0;
          for (let column = 0; column < cols; column++) {
            sum += x[row * cols + column];
            magnitude += Math.abs(x[row * cols + column]);
          }
          // Summation order differs from the reference only in float64 round-off.
          if (Math.abs(out[row] - sum) > Math.abs(sum) * 6e-8 + magnitude * 1e-15) {
            expect.fail(`row ${row} of [${rows}, ${cols}]: ${out[row]} vs ${sum}`);
          }
        }
      }
    }
  });

  it('binaryRows applies a row vector down every row, exactly', () => {
    const shapes: Array<[number, number]> = [[4096, 4], [2048, 8], [1111, 16], [999, 19], [300, 61]];
    let variant = 0;
    for (const op of ACCELERATED_BINARY_OPS) {
      const reference = BINARY_REFERENCE[op];
      for (const [rows, cols] of shapes) {
        const accelerator = variant % 2 === 0 ? threaded : single;
        variant++;
        const a = testValues(rows * cols, variant, 20);
        const b = testValues(cols, variant + 1000, 3);
        const aPlaced = variant % 3 === 0 ? accelerator.allocate!(a.length) : new Float32Array(a.length);
        aPlaced.set(a);
        const out = accelerator.allocate!(a.length);
        expect(accelerator.binaryRows!(op, aPlaced, b, out, rows, cols)).toBe(true);
        const mismatch = firstMismatch(out, (i) => reference(a[i], b[i % cols]), 0);
        if (mismatch >= 0) expect.fail(`[${rows}, ${cols}] ${a[mismatch]} ${op} ${b[mismatch % cols]} = ${out[mismatch]}`);
      }
    }
    expect(threaded.binaryRows!('add', threaded.allocate!(1 << 15), new Float32Array(2), threaded.allocate!(1 << 15), 1 << 14, 2)).toBe(false);
    expect(threaded.binaryRows!('pow', threaded.allocate!(1 << 15), new Float32Array(8), threaded.allocate!(1 << 15), 1 << 12, 8)).toBe(false);
  });

  it('sumMiddleAxis adds each column in order in float64, like the reference, to the bit', () => {
    const shapes: Array<[number, number, number]> = [[1, 50_176, 8], [1, 12_544, 16], [3, 4000, 5], [2, 700, 27], [40, 100, 9]];
    let variant = 0;
    for (const [outer, reduced, inner] of shapes) {
      for (const accelerator of [single, threaded]) {
        variant++;
        const x = new Float32Array(outer * reduced * inner);
        for (let i = 0; i < x.length; i++) x[i] = Math.sin(i * 12.9898 + variant) * 1000;
        const xPlaced = variant % 2 === 0 ? accelerator.allocate!(x.length) : x;
        xPlaced.set(x);
        const out = new Float32Array(outer * inner);
        expect(accelerator.sumMiddleAxis!(xPlaced, out, outer, reduced, inner)).toBe(true);
        const expected = new Float32Array(outer * inner);
        for (let o = 0; o < outer; o++) {
          for (let column = 0; column < inner; column++) {
            let sum = 0;
            for (let r = 0; r < reduced; r++) sum += x[(o * reduced + r) * inner + column];
            expected[o * inner + column] = sum;
          }
        }
        expectSameBits(out, expected);
      }
    }
  });

  it('declines small arrays, unsupported ops and mismatched lengths', () => {
    const small = threaded.allocate!(1000);
    const big = threaded.allocate!(1 << 15);
    expect(threaded.unary!('exp', small, small)).toBe(false);
    expect(threaded.unary!('log', big, big)).toBe(false);
    expect(threaded.unary!('exp', big, threaded.allocate!(1 << 14))).toBe(false);
    expect(threaded.binary!('add', small, small, small)).toBe(false);
    expect(threaded.binary!('pow', big, big, big)).toBe(false);
    expect(threaded.binary!('add', big, small, big)).toBe(false);
    expect(threaded.sumLastAxis!(big, small, 16_384, 2)).toBe(false);
    expect(threaded.sumLastAxis!(small, small, 10, 100)).toBe(false);
    // An output that overlaps its input at a shifted position would read values it already wrote.
    expect(threaded.unary!('neg', big.subarray(0, 20_000), big.subarray(4, 20_004))).toBe(false);
  });
});
