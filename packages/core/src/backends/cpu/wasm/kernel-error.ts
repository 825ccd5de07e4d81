import type { KernelName } from './control-block.js';

/**
 * A wasm kernel that failed (a trap such as "memory access out of bounds", or an abort): names the
 * kernel, the thread it ran on and the chunk, and carries that thread's own error message. The thread
 * pool waits for the rest of the call before throwing it, so the next call runs normally.
 *
 * @example
 * ```ts
 * import { WasmKernelError } from '@dendrite/core';
 * try {
 *   trainStep(batch);
 * } catch (error) {
 *   // e.g. "wasm kernel 'conv2dFilterGradChunk' failed in worker thread 1 (chunk 3): RuntimeError: memory access out of bounds"
 *   if (error instanceof WasmKernelError) console.error(error.kernel, error.thread, error.chunk, error.message);
 *   throw error;
 * }
 * ```
 */
export class WasmKernelError extends Error {
  /** The kernel, as exported by the wasm module (e.g. 'conv2dFilterGradChunk'). */
  readonly kernel: KernelName;
  /** 0 for the calling thread, 1, 2, ... for a worker. */
  readonly thread: number;
  readonly chunk: number;

  constructor(kernel: KernelName, thread: number, chunk: number, detail: string, cause?: unknown) {
    const where = thread === 0 ? 'on the calling thread' : `in worker thread ${thread}`;
    super(`wasm kernel '${kernel}' failed ${where} (chunk ${chunk}): ${detail}`, cause === undefined ? undefined : { cause });
    this.name = 'WasmKernelError';
    this.kernel = kernel;
    this.thread = thread;
    this.chunk = chunk;
  }
}

/** `Name: message` of an error (a wasm trap is a RuntimeError), or the thrown value as text. */
export const describeError = (error: unknown): string =>
  error instanceof Error ? `${error.name}: ${error.message}` : String(error);

