/**
 * The debug mode of {@link WasmHeap}: guard words around every block and a placement that puts
 * each new block at the very end of the memory. A kernel that writes past (or before) a buffer
 * changes a guard word, which {@link checkGuard} reports; one that reads past it reads a NaN,
 * which spoils its result; with the block at the end of the memory the same access traps.
 */

/** A NaN with a recognisable payload: read into arithmetic it spoils the result, so a test sees it. */
export const GUARD_WORD = 0x7fbadbad;

/** Debug settings of a heap (and of an accelerator, see createWasmAccelerator). */
export interface WasmHeapDebugOptions {
  /**
   * Bytes of guard words before and after every block (a multiple of 64; 0 for none), checked
   * when the block is freed and, by the accelerator, after every kernel call.
   */
  guardBytes?: number;
  /**
   * 'top' places every new block so that it ends at the very end of the memory, growing the memory
   * by exactly what it needs (nothing is recycled, the top falls back as the highest blocks are
   * freed): the last block a call stages sits at the edge, and an access past it traps. Memory use
   * grows with the number of blocks alive at once: for tests, not for long training runs.
   * 'packed' (the default) is the ordinary allocator.
   */
  placement?: 'packed' | 'top';
}

/**
 * Reads the debug settings from the DENDRITE_WASM_DEBUG environment variable (Node): a comma
 * list of `guards` (64 guard bytes), `guards=N` and `top`. Undefined when it is unset or empty.
 */
export function debugOptionsFromEnvironment(): WasmHeapDebugOptions | undefined {
  const environment = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env;
  const text = environment?.DENDRITE_WASM_DEBUG?.trim();
  if (text === undefined || text === '') return undefined;
  const options: WasmHeapDebugOptions = {};
  for (const item of text.split(',').map((part) => part.trim()).filter((part) => part !== '')) {
    const [name, value] = item.split('=');
    if (name === 'guards') options.guardBytes = value === undefined ? 64 : Number(value);
    else if (name === 'top') options.placement = 'top';
    else throw new RangeError(`DENDRITE_WASM_DEBUG: unknown setting '${item}' (expected guards, guards=N or top)`);
  }
  return options;
}

/** Checks debug settings, returning the guard size in bytes. */
export function validatedGuardBytes(options: WasmHeapDebugOptions): number {
  const guardBytes = options.guardBytes ?? 0;
  if (!Number.isInteger(guardBytes) || guardBytes < 0 || guardBytes % 64 !== 0) {
    throw new RangeError(`wasm heap: guardBytes must be a non-negative multiple of 64, got ${guardBytes}`);
  }
  if (options.placement !== undefined && options.placement !== 'packed' && options.placement !== 'top') {
    throw new RangeError(`wasm heap: placement must be 'packed' or 'top', got ${String(options.placement)}`);
  }
  return guardBytes;
}

/** Fills bytes [begin, end) of the memory (4-byte aligned) with guard words. */
export function fillGuard(words: Int32Array, begin: number, end: number): void {
  words.fill(GUARD_WORD, begin >> 2, end >> 2);
}

/** Byte offset of the first changed guard word in [begin, end), or -1 when all are intact. */
export function checkGuard(words: Int32Array, begin: number, end: number): number {
  for (let index = begin >> 2; index < end >> 2; index++) {
    if (words[index] !== GUARD_WORD) return index << 2;
  }
  return -1;
}
