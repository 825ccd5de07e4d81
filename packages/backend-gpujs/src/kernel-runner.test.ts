import type { TensorInfo } from '@dendrite/core/backend';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGpuBackend, type GpuBackend } from './index.js';
import { closestSquareDimensions } from './kernel-runner.js';
import { randomValues } from '@dendrite/core/testing';

function tensor(dataId: object, shape: number[], dtype: 'float32' | 'int32' = 'float32'): TensorInfo {
  return { dataId, shape, dtype };
}

describe('gpu backend residency, caching and lifetimes (webasm mode)', () => {
  let backend: GpuBackend;
  let x: TensorInfo;
  let w: TensorInfo;
  let b: TensorInfo;

  /** relu(x @ w + b) summed, intermediates disposed: what one training step does to memory. */
  const step = (): object => {
    const product = backend.matmul(x, w, false, false, [8, 16]);
    const shifted = backend.binary('add', tensor(product, [8, 16]), b, [8, 16], 'float32');
    const activated = backend.unary('relu', tensor(shifted, [8, 16]));
    const total = backend.reduce('sum', tensor(activated, [8, 16]), [0, 1]);
    for (const intermediate of [product, shifted, activated]) backend.dispose(intermediate);
    return total;
  };

  beforeAll(async () => {
    backend = await createGpuBackend({ mode: 'webasm' });
    x = tensor(backend.upload(randomValues(8 * 32, 1), [8, 32], 'float32'), [8, 32]);
    w = tensor(backend.upload(randomValues(32 * 16, 2), [32, 16], 'float32'), [32, 16]);
    b = tensor(backend.upload(randomValues(16, 3), [16], 'float32'), [16]);
  });
  afterAll(async () => {
    await backend.destroy();
  });

  it('reads nothing back until read() is called, and counts the read', async () => {
    const before = backend.stats().readbacks;
    const totals = [step(), step(), step()];
    expect(backend.stats().readbacks).toBe(before);
    const values = await backend.read(totals[2], 'float32');
    expect(backend.stats().readbacks).toBe(before + 1);
    expect(Number.isFinite(values[0])).toBe(true);
    for (const total of totals) backend.dispose(total);
    expect(backend.info().readbacks).toBe(before + 1);
  });

  it('keeps live buffers flat over 1,000 steps and compiles each kernel once', () => {
    backend.dispose(step());
    const buffersBefore = backend.memory();
    const compilesBefore = backend.stats().compiles;
    for (let iteration = 0; iteration < 1000; iteration++) backend.dispose(step());
    expect(backend.memory()).toEqual(buffersBefore);
    expect(backend.memory().buffers).toBe(3);
    expect(backend.stats().compiles).toBe(compilesBefore);
    expect(backend.stats().cacheHits).toBeGreaterThan(3000);
  });

  it('reports bytes of live buffers (float32 storage for both dtypes)', () => {
    const before = backend.memory();
    const indices = backend.upload(new Int32Array([1, 2, 3]), [3], 'int32');
    expect(backend.memory()).toEqual({ buffers: before.buffers + 1, bytes: before.bytes + 12 });
    backend.dispose(indices);
    backend.dispose(indices); // a second dispose is a no-op
    expect(backend.memory()).toEqual(before);
  });

  it('gives clear errors for bad input', async () => {
    expect(() => backend.upload(new Float32Array(3), [2, 2], 'float32')).toThrow(/shape \[2, 2\] needs 4 values, got 3/);
    expect(() => backend.upload(new Int32Array([1 << 25]), [1], 'int32')).toThrow(/beyond ±2\^24/);
    expect(() => backend.fill([5000, 5000], 0, 'float32')).toThrow(/25000000 elements, more than 16777216/);
    const freed = backend.upload(new Float32Array([1]), [1], 'float32');
    backend.dispose(freed);
    expect(() => backend.unary('exp', tensor(freed, [1]))).toThrow(/already disposed/);
    await expect(backend.read({}, 'float32')).rejects.toThrow(/not a buffer of this backend/);
  });

  it('handles empty tensors without launching kernels', async () => {
    const empty = backend.upload(new Float32Array(0), [0, 3], 'float32');
    const doubled = backend.binary('mul', tensor(empty, [0, 3]), tensor(empty, [0, 3]), [0, 3], 'float32');
    expect(await backend.read(doubled, 'float32')).toEqual(new Float32Array(0));
    const summed = backend.reduce('sum', tensor(empty, [0, 3]), [0]);
    expect(Array.from(await backend.read(summed, 'float32'))).toEqual([0, 0, 0]);
    const maxed = backend.reduce('max', tensor(empty, [0, 3]), [0]);
    expect(Array.from(await backend.read(maxed, 'float32'))).toEqual([-Infinity, -Infinity, -Infinity]);
    for (const dataId of [empty, doubled, summed, maxed]) backend.dispose(dataId);
  });
});

describe('closestSquareDimensions', () => {
  it('matches gpu.js: a near-square texture holding every element', () => {
    expect(closestSquareDimensions(12)).toEqual([3, 4]);
    const [width, height] = closestSquareDimensions(1_000_003);
    expect(width * height).toBeGreaterThanOrEqual(1_000_003);
    expect(Math.max(width, height)).toBeLessThan(1100);
  });
});
