import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KernelThreadPool } from './thread-pool.js';
import { WasmHeap } from './wasm-heap.js';
import { loadKernels } from './wasm-module.js';

const sleep = (milliseconds: number) => new Promise((resolve) => setTimeout(resolve, milliseconds));

describe('KernelThreadPool', () => {
  let pool: KernelThreadPool;
  let heap: WasmHeap;

  beforeAll(async () => {
    const loaded = await loadKernels(64, true);
    const exports = loaded.instance.exports as { heapBase: () => number; scratchBytes: () => number };
    heap = new WasmHeap(loaded.memory, exports.heapBase(), loaded.shared);
    const scratch = [heap.reserve(exports.scratchBytes()), heap.reserve(exports.scratchBytes())];
    pool = await KernelThreadPool.withWorkers({ module: loaded.module, memory: loaded.memory, instance: loaded.instance, scratch });
  });
  afterAll(() => pool.dispose());

  /** out = -x over `length` floats in `chunkCount` chunks; returns the output view. */
  function negate(length: number, chunkCount: number, estimatedMicroseconds?: number): Float32Array {
    const x = heap.allocateFloat32(length)!;
    const out = heap.allocateFloat32(length)!;
    for (let i = 0; i < length; i++) x[i] = i;
    const chunkLength = Math.ceil(length / chunkCount / 4) * 4;
    pool.run('unaryChunk', Math.ceil(length / chunkLength), [4, x.byteOffset, out.byteOffset, length, chunkLength], estimatedMicroseconds);
    heap.freeFloat32(x);
    return out;
  }

  it('splits a long call between the caller and the worker', () => {
    expect(pool.threads).toBe(2);
    const before = pool.chunksRunByWorkers;
    const out = negate(1 << 20, 64);
    expect(out.every((value, i) => value === -i)).toBe(true);
    expect(pool.chunksRunByWorkers).toBeGreaterThan(before);
  });

  it('lets a sleeping worker sleep through a short call, and wakes it for a burst of them', async () => {
    // An idle worker spins ~300 µs, then sleeps.
    for (let waited = 0; waited < 2000 && pool.sleepingWorkers === 0; waited += 10) await sleep(10);
    expect(pool.sleepingWorkers).toBe(1);
    const before = pool.chunksRunByWorkers;
    const out = negate(4096, 4, 10);
    expect(out.every((value, i) => value === -i)).toBe(true);
    expect(pool.chunksRunByWorkers).toBe(before);
    expect(pool.sleepingWorkers).toBe(1);
    // Back-to-back short calls add up to a burst worth waking the worker for; it then joins in.
    for (let call = 0; call < 5000 && pool.chunksRunByWorkers === before; call++) negate(1 << 14, 16, 10);
    expect(pool.chunksRunByWorkers).toBeGreaterThan(before);
  });

  it('reports a kernel that traps, and keeps working afterwards', () => {
    const beyondMemory = heap.capacityBytes + (1 << 20);
    expect(() => pool.run('unaryChunk', 8, [4, beyondMemory, beyondMemory, 1 << 16, 1 << 13])).toThrow();
    const out = negate(1 << 18, 16);
    expect(out.every((value, i) => value === -i)).toBe(true);
  });
});
