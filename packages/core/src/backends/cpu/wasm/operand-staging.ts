import type { WasmHeap } from './wasm-heap.js';

/**
 * Gives a kernel call byte offsets for its arrays: arrays already in wasm memory are used in
 * place, others are copied into temporary blocks (inputs) or computed into one and copied back
 * (outputs). One staging object serves one kernel call.
 */
export class OperandStaging {
  private readonly heap: WasmHeap;
  private readonly temporaries: number[] = [];
  private readonly pendingOutputs: Array<{ pointer: number; array: Float32Array; length: number }> = [];
  /** Set when a temporary block could not be had: the call must decline (return false). */
  exhausted = false;

  constructor(heap: WasmHeap) {
    this.heap = heap;
  }

  /** Byte offset of the first `length` floats of `array` as a kernel input. */
  input(array: Float32Array, length: number): number {
    if (this.heap.contains(array)) return array.byteOffset;
    const pointer = this.temporary(length);
    if (pointer >= 0) this.heap.floats.set(length === array.length ? array : array.subarray(0, length), pointer >> 2);
    return pointer;
  }

  /** Byte offset where a kernel writes the first `length` floats of `array`. */
  output(array: Float32Array, length: number): number {
    if (this.heap.contains(array)) return array.byteOffset;
    const pointer = this.temporary(length);
    if (pointer >= 0) this.pendingOutputs.push({ pointer, array, length });
    return pointer;
  }

  /** Byte offset of a temporary block of `length` floats (contents unspecified), freed with the others. */
  scratch(length: number): number {
    return this.temporary(Math.max(1, length));
  }

  /** Byte offset of a temporary block holding `words` as int32 (a kernel's parameter block). */
  words(words: readonly number[]): number {
    const pointer = this.temporary(words.length);
    if (pointer >= 0) new Int32Array(this.heap.floats.buffer, pointer, words.length).set(words);
    return pointer;
  }

  /** Copies outputs computed in temporaries back to their arrays and frees the temporaries. */
  finish(): void {
    const floats = this.heap.floats;
    for (const { pointer, array, length } of this.pendingOutputs) {
      array.set(floats.subarray(pointer >> 2, (pointer >> 2) + length));
    }
    this.release();
  }

  /**
   * Frees the temporaries without copying anything back (the call declined or failed). After a
   * failure (`failed`) their guard words are not checked: the failure is what gets reported.
   */
  release(failed = false): void {
    for (const pointer of this.temporaries) this.heap.release(pointer, !failed);
    this.temporaries.length = 0;
    this.pendingOutputs.length = 0;
  }

  private temporary(length: number): number {
    const pointer = this.heap.reserve(length * 4);
    if (pointer < 0) this.exhausted = true;
    else this.temporaries.push(pointer);
    return pointer;
  }
}

/**
 * Runs a kernel call over staged operands: copies outputs back after it, frees temporaries either
 * way. Returns false, running nothing, when a temporary could not be had (the call declines).
 */
export function runStaged(staging: OperandStaging, call: () => void): boolean {
  if (staging.exhausted) {
    staging.release();
    return false;
  }
  try {
    call();
  } catch (error) {
    staging.release(true);
    throw error;
  }
  staging.finish();
  return true;
}
