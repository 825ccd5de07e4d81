import { describe, expect, it } from 'vitest';
import { createWasmAccelerator } from './index.js';

describe('createWasmAccelerator', () => {
  it('rejects a thread count that is not a positive integer', async () => {
    await expect(createWasmAccelerator({ threads: 0 })).rejects.toThrow(/threads must be a positive integer/);
    await expect(createWasmAccelerator({ threads: 1.5 })).rejects.toThrow(/threads must be a positive integer/);
  });

  it('defaults to the available cores and allocates buffers in its memory', async () => {
    const accelerator = await createWasmAccelerator();
    try {
      expect(accelerator.threads).toBeGreaterThanOrEqual(1);
      const before = accelerator.liveBytes;
      const array = accelerator.allocate!(1000);
      expect(array).toBeInstanceOf(Float32Array);
      expect(array.length).toBe(1000);
      expect(accelerator.liveBytes).toBeGreaterThan(before);
      accelerator.free!(array);
      expect(accelerator.liveBytes).toBe(before);
      expect(accelerator.allocate!(0).length).toBe(0);
      expect(() => accelerator.allocate!(-1)).toThrow(/non-negative integer/);
    } finally {
      accelerator.dispose();
    }
  });

  it('keeps working on the calling thread after dispose', async () => {
    const accelerator = await createWasmAccelerator({ threads: 2 });
    expect(accelerator.threads).toBe(2);
    accelerator.dispose();
    expect(accelerator.threads).toBe(1);
    const [m, n, k] = [256, 256, 64];
    const a = accelerator.allocate!(m * k).fill(1);
    const b = accelerator.allocate!(k * n).fill(0.5);
    const out = accelerator.allocate!(m * n);
    expect(accelerator.matmul(a, b, out, m, n, k, false, false, null, 'linear')).toBe(true);
    expect(out.every((value) => value === 32)).toBe(true);
    accelerator.dispose();
  });

  it('runs over an unshared memory (no SharedArrayBuffer) by copying arrays in and out', async () => {
    const accelerator = await createWasmAccelerator({ threads: 2, sharedMemory: false });
    expect(accelerator.threads).toBe(1);
    expect(accelerator.allocate).toBeUndefined();
    expect(accelerator.notes.join(' ')).toMatch(/unshared memory/);
    const [m, n, k] = [300, 200, 100];
    // The later rounds stage more than the initial 16 MiB, so the memory grows (detaching an unshared buffer).
    for (let round = 0; round < 3; round++) {
      const a = new Float32Array(m * k).fill(1);
      const b = new Float32Array(k * n).fill(0.25);
      const bias = new Float32Array(n).fill(-30);
      const out = new Float32Array(m * n);
      expect(accelerator.matmul(a, b, out, m, n, k, false, false, bias, 'relu')).toBe(true);
      expect(out.every((value) => value === 0)).toBe(true);
      expect(accelerator.matmul(a, b, out, m, n, k, false, false, null, 'sigmoid')).toBe(true);
      expect(out.every((value) => Math.abs(value - 1 / (1 + Math.exp(-25))) < 1e-7)).toBe(true);
      const x = new Float32Array(1_500_000 * (round + 1)).fill(4);
      const y = new Float32Array(x.length);
      expect(accelerator.unary!('sqrt', x, y)).toBe(true);
      expect(accelerator.binary!('mul', y, x, y)).toBe(true);
      expect(y.every((value) => value === 8)).toBe(true);
    }
    expect(accelerator.liveBytes).toBeGreaterThan(0); // the thread's scratch
    accelerator.dispose();
  });

  it('frees temporaries of arrays copied in from outside its memory', async () => {
    const accelerator = await createWasmAccelerator({ threads: 2 });
    try {
      const before = accelerator.liveBytes;
      const x = new Float32Array(50_000).fill(-2);
      const out = new Float32Array(50_000);
      expect(accelerator.unary!('abs', x, out)).toBe(true);
      expect(out.every((value) => value === 2)).toBe(true);
      expect(accelerator.matmul(new Float32Array(64 * 64).fill(1), new Float32Array(64 * 64).fill(1), new Float32Array(64 * 64), 64, 64, 64, false, false, null, 'linear')).toBe(true);
      expect(accelerator.liveBytes).toBe(before);
    } finally {
      accelerator.dispose();
    }
  });
});
