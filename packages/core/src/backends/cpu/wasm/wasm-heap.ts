import { checkGuard, fillGuard, validatedGuardBytes, type WasmHeapDebugOptions } from './heap-guards.js';

/** Bytes in one WebAssembly memory page. */
export const PAGE_BYTES = 65536;
/** Every block starts on a cache line, so SIMD loads of a whole buffer never straddle one needlessly. */
const ALIGNMENT = 64;
/** Growth asks for at least this share of the current size, so many small allocations grow rarely. */
const MINIMUM_GROWTH_FRACTION = 0.25;

/**
 * Rounds a request up to its size class: multiples of 64 bytes up to 1 KiB, then four classes per
 * power of two, so a freed block is reused by any request of its class and at most 25% is wasted.
 */
export function sizeClassBytes(bytes: number): number {
  if (bytes <= 1024) return Math.max(ALIGNMENT, Math.ceil(bytes / ALIGNMENT) * ALIGNMENT);
  const quarter = 2 ** (Math.floor(Math.log2(bytes)) - 2);
  return Math.ceil(bytes / quarter) * quarter;
}

/** A reserved block: `start` and `bytes` span it whole, guards included; the caller's bytes begin at the key. */
interface LiveBlock {
  start: number;
  bytes: number;
  /** The bytes asked for, rounded up to whole words: the trailing guard begins right after them. */
  dataBytes: number;
}

/**
 * A block allocator over a WebAssembly.Memory: bump allocation from `base`, with per-size-class
 * free lists for reuse, growing the memory when it runs out. Pointers are byte offsets; blocks are
 * never split or merged (float32 tensors come in few distinct sizes, so classes recycle well).
 * In debug mode (see heap-guards.ts) blocks carry guard words and may be placed at the very top.
 */
export class WasmHeap {
  readonly memory: WebAssembly.Memory;
  /** Whether the memory is shared, so views survive growth (an unshared buffer is detached by it). */
  readonly shared: boolean;
  /** Guard bytes before and after each block (0 outside debug mode). */
  readonly guardBytes: number;
  /** Whether each new block is placed at the very end of the memory (debug mode). */
  readonly placeAtTop: boolean;
  private top: number;
  private readonly bottom: number;
  private readonly freeBlocks = new Map<number, number[]>();
  private readonly liveBlocks = new Map<number, LiveBlock>();
  /** Every ArrayBuffer/SharedArrayBuffer object this memory has shown, to recognise its views. */
  private readonly knownBuffers = new WeakSet<ArrayBufferLike>();
  private float32View: Float32Array;
  private int32View: Int32Array;
  private bytesInUse = 0;

  constructor(memory: WebAssembly.Memory, base: number, shared: boolean, debug: WasmHeapDebugOptions = {}) {
    this.memory = memory;
    this.shared = shared;
    this.guardBytes = validatedGuardBytes(debug);
    this.placeAtTop = debug.placement === 'top';
    this.top = Math.ceil(base / ALIGNMENT) * ALIGNMENT;
    this.bottom = this.top;
    this.float32View = new Float32Array(memory.buffer);
    this.int32View = new Int32Array(memory.buffer);
    this.knownBuffers.add(memory.buffer);
  }

  /** The whole memory as floats, refreshed after growth. */
  get floats(): Float32Array {
    const buffer = this.memory.buffer;
    if (this.float32View.buffer !== buffer) {
      this.float32View = new Float32Array(buffer);
      this.knownBuffers.add(buffer);
    }
    return this.float32View;
  }

  /** Bytes in live blocks (their size classes), for tests and diagnostics. */
  get liveBytes(): number {
    return this.bytesInUse;
  }

  /** Current size of the memory in bytes. */
  get capacityBytes(): number {
    return this.memory.buffer.byteLength;
  }

  /** Whether `array` is a view into this memory (so kernels can read it in place). */
  contains(array: ArrayBufferView): boolean {
    return this.knownBuffers.has(array.buffer);
  }

  /**
   * Whether the first `firstLength` floats of `first` and of `second` share bytes of this memory.
   * Arrays outside it share none that matter: kernels only ever see staged copies of them.
   */
  overlaps(first: Float32Array, firstLength: number, second: Float32Array, secondLength: number): boolean {
    if (!this.contains(first) || !this.contains(second)) return false;
    const firstEnd = first.byteOffset + firstLength * 4;
    const secondEnd = second.byteOffset + secondLength * 4;
    return first.byteOffset < secondEnd && second.byteOffset < firstEnd;
  }

  /**
   * Reserves a block of at least `bytes` bytes and returns its byte offset, or -1 when the memory
   * cannot grow any further. The block's contents are unspecified.
   */
  reserve(bytes: number): number {
    const dataBytes = Math.ceil(Math.max(0, bytes) / 4) * 4;
    const guard = this.guardBytes;
    let start: number;
    let blockBytes: number;
    if (this.placeAtTop) {
      // Only the leading guard: the block's end is the memory's end, where any access past it traps.
      blockBytes = guard + dataBytes;
      if (this.capacityBytes - this.top < blockBytes && !this.growExactly(this.top + blockBytes)) return -1;
      start = this.capacityBytes - blockBytes;
      this.top = this.capacityBytes;
    } else {
      blockBytes = sizeClassBytes(dataBytes + 2 * guard);
      const recycled = this.freeBlocks.get(blockBytes)?.pop();
      if (recycled !== undefined) {
        start = recycled;
      } else {
        if (!this.ensureCapacity(this.top + blockBytes)) return -1;
        start = this.top;
        this.top += blockBytes;
      }
    }
    const pointer = start + guard;
    this.liveBlocks.set(pointer, { start, bytes: blockBytes, dataBytes });
    this.bytesInUse += blockBytes;
    if (guard > 0) {
      const words = this.words;
      fillGuard(words, start, pointer);
      fillGuard(words, pointer + dataBytes, Math.min(start + blockBytes, pointer + dataBytes + guard));
    }
    return pointer;
  }

  /** Returns a block from {@link WasmHeap.reserve} for reuse (its guards are checked first, in debug mode). */
  release(pointer: number): void {
    const block = this.liveBlocks.get(pointer);
    if (block === undefined) {
      throw new Error(`wasm heap: free of byte offset ${pointer}, which is not an allocated block (double free?)`);
    }
    if (this.guardBytes > 0) this.checkBlockGuards(pointer, block, 'before it was freed');
    this.liveBlocks.delete(pointer);
    this.bytesInUse -= block.bytes;
    if (this.placeAtTop) {
      // Nothing is recycled; the top falls back to the end of the highest block still alive.
      let top = this.bottom;
      for (const live of this.liveBlocks.values()) top = Math.max(top, live.start + live.bytes);
      this.top = top;
      return;
    }
    let list = this.freeBlocks.get(block.bytes);
    if (list === undefined) {
      list = [];
      this.freeBlocks.set(block.bytes, list);
    }
    list.push(block.start);
  }

  /**
   * Debug mode: throws when a guard word of any live block has changed, naming `after` (the kernel
   * just run), the block and the first changed byte. A no-op without guards.
   */
  checkGuards(after: string): void {
    if (this.guardBytes === 0) return;
    for (const [pointer, block] of this.liveBlocks) this.checkBlockGuards(pointer, block, `after ${after}`);
  }

  private checkBlockGuards(pointer: number, block: LiveBlock, when: string): void {
    const words = this.words;
    const before = checkGuard(words, block.start, pointer);
    const trailEnd = Math.min(block.start + block.bytes, pointer + block.dataBytes + this.guardBytes);
    const after = before >= 0 ? -1 : checkGuard(words, pointer + block.dataBytes, trailEnd);
    if (before < 0 && after < 0) return;
    const side = before >= 0 ? `${pointer - before} bytes before its start` : `${after - pointer - block.dataBytes} bytes past its end`;
    throw new Error(`wasm heap guard overwritten ${when}: block at byte ${pointer} (${block.dataBytes} bytes), ${side}`);
  }

  /** The whole memory as int32 words (guards are compared as bit patterns: they are NaNs). */
  private get words(): Int32Array {
    const floats = this.floats;
    if (this.int32View.buffer !== floats.buffer) this.int32View = new Int32Array(floats.buffer);
    return this.int32View;
  }

  /**
   * A Float32Array of `length` in this memory, or null when the memory is exhausted. Its contents
   * are unspecified (a recycled block keeps old values): callers that need zeros fill it.
   */
  allocateFloat32(length: number): Float32Array | null {
    const pointer = this.reserve(length * 4);
    if (pointer < 0) return null;
    return new Float32Array(this.floats.buffer, pointer, length);
  }

  /** Frees an array from {@link WasmHeap.allocateFloat32}; arrays outside this memory are ignored. */
  freeFloat32(array: Float32Array): void {
    if (!this.contains(array)) return;
    this.release(array.byteOffset);
  }

  /** Grows the memory by just the pages that make `endByte` addressable (top placement). */
  private growExactly(endByte: number): boolean {
    const pages = Math.ceil((endByte - this.memory.buffer.byteLength) / PAGE_BYTES);
    try {
      this.memory.grow(pages);
    } catch {
      return false;
    }
    this.knownBuffers.add(this.memory.buffer);
    return true;
  }

  /** Grows the memory so that `endByte` is addressable; false when the maximum forbids it. */
  private ensureCapacity(endByte: number): boolean {
    const current = this.memory.buffer.byteLength;
    if (endByte <= current) return true;
    const neededPages = Math.ceil((endByte - current) / PAGE_BYTES);
    const preferredPages = Math.max(neededPages, Math.ceil((current * MINIMUM_GROWTH_FRACTION) / PAGE_BYTES));
    for (const pages of [preferredPages, neededPages]) {
      try {
        this.memory.grow(pages);
        this.knownBuffers.add(this.memory.buffer);
        return true;
      } catch {
        // Past the maximum (or out of address space): retry with the bare minimum, then give up.
      }
    }
    return false;
  }
}
