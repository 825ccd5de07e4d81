/**
 * The WebAssembly SIMD accelerator of the CPU backend: blocked, packed matmul with fused bias and
 * activation, elementwise math and row sums, over a memory the backend allocates its buffers in,
 * run on the calling thread plus worker threads.
 */

import { debugOptionsFromEnvironment, type WasmHeapDebugOptions } from './heap-guards.js';
import { availableCores, canBlockThisThread, hasSharedMemory, isNode } from './host.js';
import { KernelThreadPool, type ThreadPoolSetup } from './thread-pool.js';
import { createAcceleratorObject, type WasmAccelerator } from './wasm-accelerator.js';
import { PAGE_BYTES, WasmHeap } from './wasm-heap.js';
import { instructionSetFromEnvironment, selectInstructionSet, type WasmInstructionSetChoice } from './instruction-set.js';
import { loadKernels } from './wasm-module.js';

export type { WasmAccelerator } from './wasm-accelerator.js';
export type { WasmHeapDebugOptions } from './heap-guards.js';
export type { WasmInstructionSet, WasmInstructionSetChoice } from './instruction-set.js';
export { hostSupportsRelaxedSimd } from './instruction-set.js';
export { WasmKernelError } from './kernel-error.js';

/** Options of the WebAssembly accelerator of the CPU backend. */
export interface WasmAcceleratorOptions {
  /**
   * Threads that share each large kernel, the calling thread included (default: the cores
   * available, at most 8). 1 runs everything on the calling thread.
   */
  threads?: number;
  /**
   * false forces the build over an unshared memory, as on a browser page that is not
   * cross-origin isolated: one thread, no `allocate`, arrays copied in and out per call. Default:
   * shared whenever SharedArrayBuffer is available.
   */
  sharedMemory?: boolean;
  /**
   * Which kernel build to load: `'relaxed-simd'` (matmul and conv use `f32x4.relaxed_madd`, a
   * fused multiply-add: faster, and rounded once where SIMD128 rounds twice), `'simd128'`, or
   * `'auto'`: relaxed SIMD where this host validates it (Node 22+, Chrome 114+; Node 20 with
   * --experimental-wasm-relaxed-simd), SIMD128 otherwise. `'relaxed-simd'` on a host without it
   * throws. Default: the DENDRITE_WASM_SIMD environment variable (same values), else `'auto'`.
   *
   * @example
   * ```ts
   * const accelerator = await createWasmAccelerator({ instructionSet: 'simd128' });
   * accelerator.instructionSet; // 'simd128'
   * ```
   */
  instructionSet?: WasmInstructionSetChoice;
  /**
   * Debug mode, to hunt kernels that touch memory outside their buffers: guard words around every
   * block of wasm memory, checked after every kernel call (an overwritten guard throws, naming the
   * kernel and the block), and optionally every block placed at the very end of the memory. Slower;
   * for tests and bug hunts. Default: read from the DENDRITE_WASM_DEBUG environment variable
   * (`guards`, `guards=256`, `top`, comma-separated), else off.
   *
   * @example
   * ```ts
   * const accelerator = await createWasmAccelerator({ threads: 2, debug: { guardBytes: 64, placement: 'top' } });
   * ```
   */
  debug?: WasmHeapDebugOptions;
}

/** Default cap on threads: beyond this the packing and hand-off costs outgrow the gain for NN-sized products. */
const MAX_DEFAULT_THREADS = 8;
/** Memory to start with; it grows on demand. */
const INITIAL_HEAP_BYTES = 16 << 20;

/**
 * Creates the WebAssembly SIMD accelerator for the CPU backend. Throws when the host has no
 * WebAssembly SIMD, so the caller can fall back to the TypeScript kernels.
 *
 * @example
 * ```ts
 * const accelerator = await createWasmAccelerator({ threads: 2 });
 * const a = accelerator.allocate!(64 * 64).fill(1);
 * const b = accelerator.allocate!(64 * 64).fill(2);
 * const out = accelerator.allocate!(64 * 64);
 * accelerator.matmul(a, b, out, 64, 64, 64, false, false, null, 'relu'); // out[i] === 128
 * accelerator.dispose();
 * ```
 */
export async function createWasmAccelerator(options: WasmAcceleratorOptions = {}): Promise<WasmAccelerator> {
  return (await buildWasmAccelerator(options)).accelerator;
}

/** What {@link buildWasmAccelerator} assembles: the accelerator and, for tests, its heap and pool. */
export interface WasmAcceleratorParts {
  accelerator: WasmAccelerator;
  heap: WasmHeap;
  pool: KernelThreadPool;
}

/**
 * {@link createWasmAccelerator}, also returning the heap and thread pool it runs on, so that tests
 * can inject a fault into a worker or inspect the heap. Not part of the public API.
 */
export async function buildWasmAccelerator(options: WasmAcceleratorOptions = {}): Promise<WasmAcceleratorParts> {
  const requested = options.threads;
  if (requested !== undefined && (!Number.isInteger(requested) || requested < 1)) {
    throw new RangeError(`createWasmAccelerator: threads must be a positive integer, got ${requested}`);
  }
  const notes: string[] = [];
  const threads = requested ?? Math.max(1, Math.min(MAX_DEFAULT_THREADS, await availableCores()));
  const sharedAvailable = hasSharedMemory() && options.sharedMemory !== false;
  const initialPages = Math.ceil(INITIAL_HEAP_BYTES / PAGE_BYTES);
  const selection = selectInstructionSet(options.instructionSet ?? instructionSetFromEnvironment() ?? 'auto');
  if (selection.note !== null) notes.push(selection.note);
  const loaded = await loadKernels(initialPages, sharedAvailable, selection.instructionSet);
  const sharedFailure = loaded.sharedFailure;
  if (options.sharedMemory === false) {
    notes.push('unshared memory requested: one thread, and buffers are copied into wasm memory per call');
  } else if (!sharedAvailable) {
    notes.push('no SharedArrayBuffer (in a browser the page must be cross-origin isolated): one thread, and buffers are copied into wasm memory per call');
  } else if (sharedFailure !== undefined) {
    notes.push(`shared WebAssembly memory failed (${sharedFailure}): one thread, and buffers are copied into wasm memory per call`);
  }

  const exports = loaded.instance.exports as { heapBase: () => number; scratchBytes: () => number };
  const debug = options.debug ?? debugOptionsFromEnvironment();
  const heap = new WasmHeap(loaded.memory, exports.heapBase(), loaded.shared, debug);
  if (debug !== undefined) notes.push(`debug mode: ${heap.guardBytes} guard bytes around each block, placement ${heap.placeAtTop ? 'top' : 'packed'}`);
  const threadCount = loaded.shared ? threads : 1;
  const scratch: number[] = [];
  for (let index = 0; index < threadCount; index++) {
    const pointer = heap.reserveLongLived(exports.scratchBytes());
    if (pointer < 0) throw new Error('wasm accelerator: could not reserve kernel scratch memory');
    scratch.push(pointer);
  }
  const setup: ThreadPoolSetup = { module: loaded.module, memory: loaded.memory, instance: loaded.instance, scratch };

  let pool = KernelThreadPool.singleThreaded(setup);
  if (threadCount > 1) {
    try {
      pool = await KernelThreadPool.withWorkers(setup);
      if (!isNode() && !canBlockThisThread()) {
        notes.push('browser main thread cannot block in Atomics.wait: it spins while workers finish their chunks');
      }
    } catch (error) {
      notes.push(`worker threads unavailable (${error instanceof Error ? error.message : String(error)}): one thread`);
    }
  }
  // Guards are checked after every kernel call, so an overwrite is pinned on the kernel that made it.
  if (heap.guardBytes > 0) pool.afterRun = (kernel) => heap.checkGuards(`kernel '${kernel}'`);
  return { accelerator: createAcceleratorObject(heap, pool, notes, selection.instructionSet), heap, pool };
}
