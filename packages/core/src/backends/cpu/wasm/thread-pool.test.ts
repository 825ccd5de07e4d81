import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONTROL_WORDS } from './control-block.js';
import { WasmKernelError } from './kernel-error.js';
import { holdingWord } from './lifeline.js';
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
    // A worker woken from its sleep may not get a core before the caller has taken every chunk of
    // one call (seen on a loaded machine), so up to 20 long calls; each result is checked.
    for (let call = 0; call < 20 && pool.chunksRunByWorkers === before; call++) {
      const out = negate(1 << 20, 64);
      expect(out.every((value, i) => value === -i)).toBe(true);
      heap.freeFloat32(out);
    }
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

  it('reports a kernel that traps on the calling thread with its name and message, and keeps working afterwards', () => {
    const beyondMemory = heap.capacityBytes + (1 << 20);
    let caught: unknown;
    try {
      pool.run('unaryChunk', 1, [4, beyondMemory, beyondMemory, 1 << 16, 1 << 16]);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(WasmKernelError);
    expect(String(caught)).toMatch(/wasm kernel 'unaryChunk' failed on the calling thread \(chunk 0\): RuntimeError: memory access out of bounds/);
    expect(() => pool.run('unaryChunk', 8, [4, beyondMemory, beyondMemory, 1 << 16, 1 << 13])).toThrow(/unaryChunk.*memory access out of bounds/);
    const out = negate(1 << 18, 16);
    expect(out.every((value, i) => value === -i)).toBe(true);
  });

  it("surfaces a worker's own error with the kernel's name, then serves the next call", () => {
    // The injected fault is a real trap (an access past the memory) in the next chunk a worker claims.
    pool.injectWorkerFault();
    let caught: unknown;
    for (let attempt = 0; attempt < 2000 && caught === undefined; attempt++) {
      try {
        negate(1 << 16, 32);
      } catch (error) {
        caught = error;
      }
    }
    expect(caught).toBeInstanceOf(WasmKernelError);
    const error = caught as WasmKernelError;
    expect(error.message).toMatch(/^wasm kernel 'unaryChunk' failed in worker thread 1 \(chunk \d+\): RuntimeError: memory access out of bounds$/);
    expect(error.kernel).toBe('unaryChunk');
    expect(error.thread).toBe(1);
    const before = pool.chunksRunByWorkers;
    for (let call = 0; call < 50; call++) {
      const out = negate(1 << 16, 32);
      expect(out.every((value, i) => value === -i)).toBe(true);
    }
    expect(pool.chunksRunByWorkers).toBeGreaterThan(before);
  });

  it("closes the previous call's JOB value before writing a new call, so a late worker cannot claim with it", () => {
    // A worker that read the finished call's JOB word and then the new call's chunk count would try
    // exactly this swap while the new call is being written; it must fail, or that worker runs a
    // chunk with half-written arguments and counts it done (issue 9's crash).
    const staleSwaps: number[] = [];
    pool.setTestHooks({
      beforeOpen(words, previousJob) {
        staleSwaps.push(Atomics.compareExchange(words, CONTROL_WORDS.job, previousJob, previousJob + 1) === previousJob ? 1 : 0);
      },
    });
    try {
      for (let call = 0; call < 20; call++) {
        const out = negate(1 << 14, call % 2 === 0 ? 2 : 16, Infinity);
        expect(out.every((value, i) => value === -i)).toBe(true);
      }
    } finally {
      pool.setTestHooks({});
    }
    expect(staleSwaps.length).toBeGreaterThan(0);
    expect(staleSwaps.every((succeeded) => succeeded === 0)).toBe(true);
  });

  it('counts every chunk exactly once over many back-to-back calls of changing size', () => {
    // Alternating few and many chunks is what opened the window; the pool checks DONE on every call.
    for (let call = 0; call < 4000; call++) {
      const chunks = [2, 16, 4, 9][call % 4];
      const out = negate(4096, chunks, Infinity);
      if (call % 97 === 0) expect(out.every((value, i) => value === -i)).toBe(true);
      heap.freeFloat32(out);
    }
  });
});

/** A fresh two-thread pool and a 16-chunk negation over 65,536 floats that reports whether it was right. */
async function freshPool(): Promise<{ pool: KernelThreadPool; negate: () => boolean }> {
  const loaded = await loadKernels(64, true);
  const exports = loaded.instance.exports as { heapBase: () => number; scratchBytes: () => number };
  const heap = new WasmHeap(loaded.memory, exports.heapBase(), loaded.shared);
  const scratch = [heap.reserve(exports.scratchBytes()), heap.reserve(exports.scratchBytes())];
  const pool = await KernelThreadPool.withWorkers({ module: loaded.module, memory: loaded.memory, instance: loaded.instance, scratch });
  const length = 1 << 16;
  const x = heap.allocateFloat32(length)!;
  const out = heap.allocateFloat32(length)!;
  for (let i = 0; i < length; i++) x[i] = i;
  const negate = () => {
    out.fill(0);
    pool.run('unaryChunk', 16, [4, x.byteOffset, out.byteOffset, length, length / 16]);
    return out.every((value, i) => value === -i);
  };
  return { pool, negate };
}

describe('KernelThreadPool when the hand-off goes wrong', () => {
  it('throws when a call counts more chunks done than it has, then carries on with the calling thread', async () => {
    const { pool, negate } = await freshPool();
    try {
      // One phantom chunk, as the old hand-off race produced, counted once every real chunk is done: counted
      // earlier, it can end the caller's wait while the last real chunk still runs, so that this call reads 16
      // and only the next call's check sees the 17 (1 run in about 12 failed that way).
      pool.setTestHooks({ afterChunks: (words) => void Atomics.add(words, CONTROL_WORDS.done, 1) });
      expect(negate).toThrow('thread pool: 17 chunks counted done for a call of 16');
      pool.setTestHooks({});
      expect(pool.threads).toBe(1);
      expect(pool.degradedReason).toMatch(/17 chunks counted done for a call of 16: kernels run on the calling thread from now on/);
      for (let call = 0; call < 10; call++) expect(negate()).toBe(true);
    } finally {
      pool.dispose();
    }
  });

  it('carries on with the calling thread alone after a worker dies, and says why', async () => {
    const { pool, negate } = await freshPool();
    try {
      pool.injectWorkerCrash();
      // The worker dies when it next looks for work; calls meanwhile still complete (the caller takes every chunk).
      for (let waited = 0; waited < 5000 && pool.threads === 2; waited += 20) {
        expect(negate()).toBe(true);
        await sleep(20);
      }
      expect(pool.threads).toBe(1);
      // Named with its error when the host's 'error' event came first, else from the lifeline block.
      expect(pool.degradedReason).toMatch(
        /^kernel worker thread 1 stopped( \(Error: kernel worker stopped by an injected crash\))?: kernels run on the calling thread from now on$/);
      for (let call = 0; call < 10; call++) expect(negate()).toBe(true);
    } finally {
      pool.dispose();
    }
  });
});

/** A fresh two-thread pool over `length` floats x[i] = i, with `out` the negation's output. */
async function poolWithOperands(length: number): Promise<{ pool: KernelThreadPool; x: Float32Array; out: Float32Array }> {
  const loaded = await loadKernels(64, true);
  const exports = loaded.instance.exports as { heapBase: () => number; scratchBytes: () => number };
  const heap = new WasmHeap(loaded.memory, exports.heapBase(), loaded.shared);
  const scratch = [heap.reserve(exports.scratchBytes()), heap.reserve(exports.scratchBytes())];
  const pool = await KernelThreadPool.withWorkers({ module: loaded.module, memory: loaded.memory, instance: loaded.instance, scratch });
  const x = heap.allocateFloat32(length)!;
  const out = heap.allocateFloat32(length)!;
  for (let i = 0; i < length; i++) x[i] = i;
  return { pool, x, out };
}

describe('KernelThreadPool when a worker stops in the middle of a call', () => {
  const NEGATE = 4;

  it('runs the chunk of a worker terminated while it ran it again on the calling thread, and never hangs', async () => {
    // Two chunks of 4M floats each (~ms of work): the worker is terminated while it holds its chunk.
    const length = 1 << 23;
    const { pool, x, out } = await poolWithOperands(length);
    try {
      let terminatedHolding = false;
      pool.setTestHooks({
        beforeWait(words, lifeline) {
          // The caller ran its chunk; if the worker still holds the other one, kill its thread now.
          if (Atomics.load(words, CONTROL_WORDS.done) < 2 && Atomics.load(lifeline, holdingWord(1)) !== 0) {
            terminatedHolding = true;
            pool.terminateWorker(1);
          }
        },
      });
      // The worker may not get a core before the caller took both chunks (a loaded machine): retry a few calls.
      for (let call = 0; call < 50 && !terminatedHolding; call++) {
        out.fill(Number.NaN);
        pool.run('unaryChunk', 2, [NEGATE, x.byteOffset, out.byteOffset, length, length / 2]);
        expect(out.every((value, i) => value === -i)).toBe(true);
      }
      pool.setTestHooks({});
      expect(terminatedHolding).toBe(true);
      // Had the worker just counted its chunk done when it was killed, the call ended normally and the
      // next call finds the worker marked stopped (the watchdog's mark comes a few ms later).
      for (let waited = 0; waited < 5000 && pool.threads === 2; waited += 10) {
        await sleep(10);
        out.fill(Number.NaN);
        pool.run('unaryChunk', 2, [NEGATE, x.byteOffset, out.byteOffset, length, length / 2]);
        expect(out.every((value, i) => value === -i)).toBe(true);
      }
      expect(pool.threads).toBe(1);
      expect(pool.degradedReason).toMatch(
        /^kernel worker thread 1 stopped( while it held chunk [01] of 'unaryChunk' \(run again on the calling thread\))?: kernels run on the calling thread from now on$/);
      out.fill(Number.NaN);
      pool.run('unaryChunk', 2, [NEGATE, x.byteOffset, out.byteOffset, length, length / 2]);
      expect(out.every((value, i) => value === -i)).toBe(true);
    } finally {
      pool.dispose();
    }
  });

  it('runs again the chunk of a worker whose thread exits while it holds it (process.exit in the worker)', async () => {
    const length = 1 << 16;
    const { pool, x, out } = await poolWithOperands(length);
    try {
      pool.injectWorkerExit();
      // The worker exits as soon as it claims a chunk; until it does, calls run whole on both threads.
      for (let call = 0; call < 2000 && pool.threads === 2; call++) {
        out.fill(Number.NaN);
        pool.run('unaryChunk', 16, [NEGATE, x.byteOffset, out.byteOffset, length, length / 16]);
        expect(out.every((value, i) => value === -i)).toBe(true);
        if (call % 100 === 99) await sleep(5);
      }
      expect(pool.threads).toBe(1);
      expect(pool.degradedReason).toMatch(
        /^kernel worker thread 1 stopped while it held chunk \d+ of 'unaryChunk' \(run again on the calling thread\): kernels run on the calling thread from now on$/);
    } finally {
      pool.dispose();
    }
  });

  it('throws a WasmKernelError naming the kernel and the chunk when the lost chunk ran in place, then works on one thread', async () => {
    const length = 1 << 16;
    const { pool, x, out } = await poolWithOperands(length);
    try {
      pool.injectWorkerExit();
      let caught: unknown;
      for (let call = 0; call < 2000 && caught === undefined && pool.threads === 2; call++) {
        try {
          // In place: x = -x, chunk by chunk. A chunk cut short cannot run again (its first half would flip twice).
          pool.run('unaryChunk', 16, [NEGATE, x.byteOffset, x.byteOffset, length, length / 16]);
        } catch (error) {
          caught = error;
        }
        if (call % 100 === 99) await sleep(5);
      }
      expect(caught).toBeInstanceOf(WasmKernelError);
      const error = caught as WasmKernelError;
      expect(error.message).toMatch(
        /^wasm kernel 'unaryChunk' failed in worker thread 1 \(chunk \d+\): the worker thread stopped while it held this chunk, which updates its operands in place, so it cannot run again: the call's results are lost$/);
      expect(error.thread).toBe(1);
      expect(pool.threads).toBe(1);
      expect(pool.degradedReason).toMatch(/^kernel worker thread 1 stopped while it held chunk \d+ of 'unaryChunk': kernels run on the calling thread from now on$/);
      for (let i = 0; i < length; i++) x[i] = i;
      pool.run('unaryChunk', 16, [NEGATE, x.byteOffset, out.byteOffset, length, length / 16]);
      expect(out.every((value, i) => value === -i)).toBe(true);
    } finally {
      pool.dispose();
    }
  });
});
