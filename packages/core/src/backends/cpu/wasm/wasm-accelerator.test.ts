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
      // The convolutions' padded copies, packed filters, partial sums and parameter blocks, and pooling's.
      const info = {
        batch: 2, inHeight: 9, inWidth: 9, inChannels: 3, outHeight: 9, outWidth: 9, outChannels: 5, filterHeight: 3, filterWidth: 3,
        strideHeight: 1, strideWidth: 1, dilationHeight: 1, dilationWidth: 1, padTop: 1, padLeft: 1,
      };
      const images = new Float32Array(2 * 9 * 9 * 3).fill(1);
      const filter = new Float32Array(3 * 3 * 3 * 5).fill(1);
      const convOut = new Float32Array(2 * 9 * 9 * 5);
      expect(accelerator.conv2d!(images, filter, convOut, info)).toBe(true);
      expect(convOut[(9 * 4 + 4) * 5]).toBe(27);
      expect(accelerator.conv2dBackpropInput!(convOut, filter, new Float32Array(images.length), info)).toBe(true);
      expect(accelerator.conv2dBackpropFilter!(images, convOut, new Float32Array(filter.length), info)).toBe(true);
      const poolInfo = {
        batch: 2, inHeight: 9, inWidth: 9, channels: 3, outHeight: 4, outWidth: 4, filterHeight: 2, filterWidth: 2,
        strideHeight: 2, strideWidth: 2, padTop: 0, padLeft: 0,
      };
      expect(accelerator.pool2d!(images, new Float32Array(2 * 4 * 4 * 3), poolInfo, 'max')).toBe(true);
      expect(accelerator.pool2dBackward!(new Float32Array(2 * 4 * 4 * 3), images, new Float32Array(images.length), poolInfo, 'avg')).toBe(true);
      expect(accelerator.liveBytes).toBe(before);
    } finally {
      accelerator.dispose();
    }
  });
});
