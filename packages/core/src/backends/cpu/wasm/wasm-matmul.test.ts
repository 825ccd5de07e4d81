import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FusedActivation } from '../../../backend/backend.js';
import { randomValues } from '../../../testing/kernel-checks.js';
import { createWasmAccelerator, type WasmAccelerator, type WasmInstructionSet } from './index.js';

function activate(value: number, activation: FusedActivation): number {
  switch (activation) {
    case 'relu': return value < 0 ? 0 : value;
    case 'sigmoid': return 1 / (1 + Math.exp(-value));
    case 'tanh': return Math.tanh(value);
    default: return value;
  }
}

/** Naive float64 product with the same operand layouts, plus the magnitude bound of each sum. */
function naiveMatmul(
  a: Float32Array, b: Float32Array, m: number, n: number, k: number, transposeA: boolean, transposeB: boolean,
  bias: Float32Array | null, activation: FusedActivation,
): { values: Float64Array; magnitudes: Float64Array } {
  const values = new Float64Array(m * n);
  const magnitudes = new Float64Array(m * n);
  // Row i of op(A) and column j of op(B) as contiguous float64 arrays, so the loop stays simple.
  const rowsOfA = new Float64Array(m * k);
  const columnsOfB = new Float64Array(n * k);
  for (let i = 0; i < m; i++) for (let d = 0; d < k; d++) rowsOfA[i * k + d] = transposeA ? a[d * m + i] : a[i * k + d];
  for (let j = 0; j < n; j++) for (let d = 0; d < k; d++) columnsOfB[j * k + d] = transposeB ? b[j * k + d] : b[d * n + j];
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let sum = bias === null ? 0 : bias[j];
      let magnitude = Math.abs(sum);
      for (let d = 0; d < k; d++) {
        const product = rowsOfA[i * k + d] * columnsOfB[j * k + d];
        sum += product;
        magnitude += Math.abs(product);
      }
      values[i * n + j] = activate(sum, activation);
      magnitudes[i * n + j] = magnitude;
    }
  }
  return { values, magnitudes };
}

function expectMatchesNaive(
  out: Float32Array, a: Float32Array, b: Float32Array, m: number, n: number, k: number,
  transposeA: boolean, transposeB: boolean, bias: Float32Array | null, activation: FusedActivation,
): void {
  const { values, magnitudes } = naiveMatmul(a, b, m, n, k, transposeA, transposeB, bias, activation);
  let worst = 0;
  let worstIndex = -1;
  for (let i = 0; i < m * n; i++) {
    // float32 accumulation error grows with the sum of |terms|; activations have slope <= 1.
    const excess = Math.abs(out[i] - values[i]) - (2e-6 * magnitudes[i] + 1e-6);
    if (!(excess <= worst)) {
      worst = excess;
      worstIndex = i;
    }
  }
  if (worstIndex >= 0) {
    const row = Math.floor(worstIndex / n);
    const column = worstIndex % n;
    expect.fail(`[${m}x${k}]@[${k}x${n}] tA=${transposeA} tB=${transposeB} ${activation}: out[${row}, ${column}] = ${out[worstIndex]}, expected ${values[worstIndex]}`);
  }
}

/** Copies `values` into wasm memory (when `inside`) or a plain array, at `offset` floats into a larger buffer. */
function place(accelerator: WasmAccelerator, values: Float32Array, inside: boolean, offset = 0): Float32Array {
  const backing = inside ? accelerator.allocate!(values.length + offset) : new Float32Array(values.length + offset);
  const view = backing.subarray(offset, offset + values.length);
  view.set(values);
  return view;
}

const ACTIVATIONS: FusedActivation[] = ['linear', 'relu', 'sigmoid', 'tanh'];
const TRANSPOSES: Array<[boolean, boolean]> = [[false, false], [true, false], [false, true], [true, true]];

// Both kernel builds: relaxed SIMD fuses the micro-kernel's multiply-adds (rounding once), which
// stays within the same float32 rounding bound of the float64 reference.
const INSTRUCTION_SETS: WasmInstructionSet[] = ['simd128', 'relaxed-simd'];

describe.each(INSTRUCTION_SETS)('wasm matmul (%s kernels)', (instructionSet) => {
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

  it('reports what it is', () => {
    expect(single.implementation).toBe('wasm-simd');
    expect(single.instructionSet).toBe(instructionSet);
    expect(threaded.instructionSet).toBe(instructionSet);
    expect(single.threads).toBe(1);
    expect(threaded.threads).toBe(2);
    const unexpected = threaded.notes.filter((note) => !note.startsWith('debug mode') && !note.startsWith('SIMD128 kernels requested'));
    expect(unexpected).toEqual([]);
  });

  // Odd sizes cut register tiles and blocks (tile 4x8, depth block 256, row block 128, column block 512).
  const shapes: Array<[number, number, number]> = [
    [4, 8, 128], [5, 9, 100], [13, 17, 31], [17, 33, 300], [64, 64, 64], [3, 700, 20], [700, 3, 20],
    [1, 1, 5000], [1, 37, 129], [2, 600, 60], [131, 20, 40], [5, 520, 30], [9, 17, 513], [133, 21, 300],
  ];

  it('matches naive loops for odd shapes, all transposes, bias and activations (one thread)', () => {
    let variant = 0;
    for (const [m, n, k] of shapes) {
      for (const [transposeA, transposeB] of TRANSPOSES) {
        variant++;
        const activation = ACTIVATIONS[variant % 4];
        const a = randomValues(m * k, variant * 3 + 1);
        const b = randomValues(k * n, variant * 3 + 2);
        const bias = variant % 3 === 0 ? null : randomValues(n, variant * 3 + 3);
        // Alternate inputs inside and outside wasm memory, at aligned and unaligned offsets.
        const inside = variant % 2 === 0;
        const aPlaced = place(single, a, inside, variant % 5);
        const bPlaced = place(single, b, !inside, 0);
        const biasPlaced = bias === null ? null : place(single, bias, inside, 1);
        const out = inside ? single.allocate!(m * n) : new Float32Array(m * n);
        expect(single.matmul(aPlaced, bPlaced, out, m, n, k, transposeA, transposeB, biasPlaced, activation)).toBe(true);
        expectMatchesNaive(out, a, b, m, n, k, transposeA, transposeB, bias, activation);
        // Inputs are read, never written.
        expect(aPlaced.every((value, index) => value === a[index])).toBe(true);
        expect(bPlaced.every((value, index) => value === b[index])).toBe(true);
      }
    }
  });

  const parallelShapes: Array<[number, number, number]> = [
    [128, 128, 784], [200, 130, 30], [1, 2048, 200], [517, 9, 100], [300, 64, 100], [70, 601, 60],
  ];

  it('matches naive loops when the work is split across threads', () => {
    let variant = 0;
    for (const [m, n, k] of parallelShapes) {
      for (const [transposeA, transposeB] of TRANSPOSES) {
        variant++;
        const activation = ACTIVATIONS[variant % 4];
        const a = randomValues(m * k, variant * 7 + 1);
        const b = randomValues(k * n, variant * 7 + 2);
        const bias = variant % 2 === 0 ? randomValues(n, variant * 7 + 3) : null;
        const inside = variant % 3 !== 0;
        const aPlaced = place(threaded, a, inside, inside ? 0 : 3);
        const bPlaced = place(threaded, b, inside, 1);
        const out = inside ? threaded.allocate!(m * n) : new Float32Array(m * n);
        expect(threaded.matmul(aPlaced, bPlaced, out, m, n, k, transposeA, transposeB, bias, activation)).toBe(true);
        expectMatchesNaive(out, a, b, m, n, k, transposeA, transposeB, bias, activation);
      }
    }
  });

  it('gives the same result on one thread and on two', () => {
    const [m, n, k] = [133, 250, 411];
    const a = place(threaded, randomValues(m * k, 5), true);
    const b = place(threaded, randomValues(k * n, 6), true);
    const bias = randomValues(n, 7);
    const first = new Float32Array(m * n);
    const second = new Float32Array(m * n);
    expect(single.matmul(a, b, first, m, n, k, true, false, bias, 'tanh')).toBe(true);
    expect(threaded.matmul(a, b, second, m, n, k, true, false, bias, 'tanh')).toBe(true);
    expect(second.every((value, index) => value === first[index])).toBe(true);
  });

  it('agrees with naive loops on three threads (more threads than this machine may have cores)', async () => {
    const three = await createWasmAccelerator({ threads: 3, instructionSet });
    try {
      expect(three.threads).toBe(3);
      let variant = 0;
      for (const [m, n, k] of [[257, 190, 300], [64, 1000, 40]] as const) {
        for (const [transposeA, transposeB] of TRANSPOSES) {
          variant++;
          const a = randomValues(m * k, variant * 13 + 1);
          const b = randomValues(k * n, variant * 13 + 2);
          const bias = randomValues(n, variant * 13 + 3);
          const out = three.allocate!(m * n);
          expect(three.matmul(place(three, a, true), b, out, m, n, k, transposeA, transposeB, bias, 'sigmoid')).toBe(true);
          expectMatchesNaive(out, a, b, m, n, k, transposeA, transposeB, bias, 'sigmoid');
        }
      }
    } finally {
      three.dispose();
    }
  });

  it('writes one matrix of a batch through subarrays without touching its neighbours', () => {
    const [m, n, k] = [20, 24, 30];
    const batch = threaded.allocate!(3 * m * n).fill(-5);
    const a = randomValues(m * k, 11);
    const b = randomValues(k * n, 12);
    const out = batch.subarray(m * n, 2 * m * n);
    expect(threaded.matmul(a, b, out, m, n, k, false, false, null, 'linear')).toBe(true);
    expectMatchesNaive(out, a, b, m, n, k, false, false, null, 'linear');
    expect(batch.subarray(0, m * n).every((value) => value === -5)).toBe(true);
    expect(batch.subarray(2 * m * n).every((value) => value === -5)).toBe(true);
  });

  it('declines cases it does not handle', () => {
    const a = single.allocate!(64 * 64);
    const b = single.allocate!(64 * 64);
    const out = single.allocate!(64 * 64);
    // Too small to be worth it.
    expect(single.matmul(a, b, out, 4, 4, 4, false, false, null, 'linear')).toBe(false);
    // Empty depth, short arrays, short bias.
    expect(single.matmul(a, b, out, 64, 64, 0, false, false, null, 'linear')).toBe(false);
    expect(single.matmul(a.subarray(1), b, out, 64, 64, 64, false, false, null, 'linear')).toBe(false);
    expect(single.matmul(a, b, out, 64, 64, 64, false, false, new Float32Array(63), 'linear')).toBe(false);
    // Output aliasing an input.
    expect(single.matmul(a, b, a, 64, 64, 64, false, false, null, 'linear')).toBe(false);
    expect(single.matmul(a, b, a.subarray(10), 64, 64, 50, false, false, null, 'linear')).toBe(false);
    // Unknown activation.
    expect(single.matmul(a, b, out, 64, 64, 64, false, false, null, 'gelu' as FusedActivation)).toBe(false);
  });

  it('keeps special values flowing like the reference (NaN and Infinity propagate)', () => {
    const [m, n, k] = [8, 16, 64];
    const a = randomValues(m * k, 21);
    const b = randomValues(k * n, 22);
    a[3 * k + 5] = Number.NaN;
    b[7] = Number.POSITIVE_INFINITY;
    const out = new Float32Array(m * n);
    expect(single.matmul(a, b, out, m, n, k, false, false, null, 'relu')).toBe(true);
    const { values } = naiveMatmul(a, b, m, n, k, false, false, null, 'relu');
    for (let i = 0; i < m * n; i++) {
      if (Number.isNaN(values[i])) expect(out[i]).toBeNaN();
      else if (!Number.isFinite(values[i])) expect(out[i]).toBe(values[i]);
    }
  });
});
