import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AdamHyperparameters } from '../../../backend/backend.js';
import { adamUpdate } from '../kernels/adam-update.js';
import { plainKernelContext } from '../kernel-context.js';
import { createWasmAccelerator, type WasmAccelerator } from './index.js';

/** Deterministic values in [-scale, scale), with a few specials (zeros, tiny, huge). */
function values(length: number, seed: number, scale: number, positive = false): Float32Array {
  const out = new Float32Array(length);
  let state = seed >>> 0 || 1;
  const specials = [0, -0, 1e-30, 3e4, -2e-7, 1];
  for (let i = 0; i < length; i++) {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    const value = i % 53 < specials.length ? specials[i % 53] : (((state >>> 0) / 4294967296) * 2 - 1) * scale;
    out[i] = positive ? Math.abs(value) : value;
  }
  return out;
}

const HYPER: AdamHyperparameters = { stepSize: 1e-3 * Math.sqrt(1 - 0.999 ** 7) / (1 - 0.9 ** 7), beta1: 0.9, beta2: 0.999, epsilon: 1e-8 };

/** The TypeScript reference's next parameter and moments. */
function reference(p: Float32Array, g: Float32Array, m: Float32Array, v: Float32Array, hyper: AdamHyperparameters): Float32Array[] {
  const tensor = (array: Float32Array) => ({ values: array, shape: [array.length], dtype: 'float32' as const });
  return adamUpdate(plainKernelContext(), tensor(p), tensor(g), tensor(m), tensor(v), hyper);
}

/** Index of the first element whose bits differ, or -1. */
function firstDifference(got: Float32Array, want: Float32Array): number {
  for (let i = 0; i < want.length; i++) if (!Object.is(got[i], want[i])) return i;
  return got.length === want.length ? -1 : want.length;
}

describe('wasm Adam kernel', () => {
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

  // 256 is the smallest length taken; odd lengths end in a scalar element; 100,000 splits over threads.
  for (const length of [256, 257, 1023, 100_000, 100_001]) {
    it(`gives the reference's bits for ${length} elements, on one thread and on two`, () => {
      const p = values(length, 1, 2);
      const g = values(length, 2, 0.5);
      const m = values(length, 3, 0.1);
      const v = values(length, 4, 0.01, true);
      const want = reference(p, g, m, v, HYPER);
      for (const accelerator of [single, threaded]) {
        const outputs = [0, 1, 2].map(() => accelerator.allocate!(length));
        expect(accelerator.adamUpdate!(p, g, m, v, outputs[0], outputs[1], outputs[2], HYPER)).toBe(true);
        outputs.forEach((output, index) => expect(firstDifference(output, want[index])).toBe(-1));
        for (const output of outputs) accelerator.free!(output);
      }
    });
  }

  it('takes arrays outside wasm memory (copied in and out) and other hyperparameters', () => {
    const length = 4099;
    const hyper = { stepSize: 0.05, beta1: 0.5, beta2: 0.75, epsilon: 1e-3 };
    const p = values(length, 5, 1);
    const g = values(length, 6, 3);
    const m = values(length, 7, 1);
    const v = values(length, 8, 2, true);
    const want = reference(p, g, m, v, hyper);
    const outputs = [0, 1, 2].map(() => new Float32Array(length));
    expect(threaded.adamUpdate!(p, g, m, v, outputs[0], outputs[1], outputs[2], hyper)).toBe(true);
    outputs.forEach((output, index) => expect(firstDifference(output, want[index])).toBe(-1));
  });

  it('updates in place (each output over its own input) with the same bits', () => {
    const length = 777;
    const p = single.allocate!(length).fill(0.5);
    const g = values(length, 9, 1);
    const m = single.allocate!(length).fill(0.01);
    const v = single.allocate!(length).fill(0.02);
    const want = reference(p.slice(), g, m.slice(), v.slice(), HYPER);
    expect(single.adamUpdate!(p, g, m, v, p, m, v, HYPER)).toBe(true);
    [p, m, v].forEach((output, index) => expect(firstDifference(output, want[index])).toBe(-1));
  });

  it('declines short arrays, mismatched lengths and outputs overlapping another input', () => {
    const small = new Float32Array(255);
    expect(single.adamUpdate!(small, small, small, small, new Float32Array(255), new Float32Array(255), new Float32Array(255), HYPER)).toBe(false);
    const a = new Float32Array(300);
    expect(single.adamUpdate!(a, a, a, new Float32Array(299), new Float32Array(300), new Float32Array(300), new Float32Array(300), HYPER)).toBe(false);
    const block = single.allocate!(600);
    const p = block.subarray(0, 300);
    const shifted = block.subarray(2, 302);
    expect(single.adamUpdate!(p, a, a, a, shifted, new Float32Array(300), new Float32Array(300), HYPER)).toBe(false);
    single.free!(block);
  });
});
