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
  /** Placed by top placement (else by the packed allocator). */
  atTop: boolean;
}

/** `bytes` rounded up to whole 4-byte words. */
const wholeWords = (bytes: number): number => Math.ceil(Math.max(0, bytes) / 4) * 4;

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
  /** Top placement: the start of the current stack's lowest block (the memory's end when it is empty). */
  private stackFloor: number;
  /** Top placement: the lowest byte the current stack may use (older blocks lie below it). */
  private stackBase: number;
  private longLivedBlocks = 0;
  private liveTopBlocks = 0;
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
    this.stackBase = this.top;
    this.stackFloor = memory.buffer.byteLength;
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
    return this.placeAtTop ? this.reserveAtTop(bytes) : this.reservePacked(bytes);
  }

  /**
   * Reserves a long-lived block (a thread's kernel scratch) from the ordinary packed allocator even
   * with top placement, so that it never holds the top of the memory. Call it before any other.
   */
  reserveLongLived(bytes: number): number {
    if (this.placeAtTop && this.liveBlocks.size > this.longLivedBlocks) {
      throw new Error('wasm heap: long-lived blocks must be reserved before any other block');
    }
    const pointer = this.reservePacked(bytes);
    if (pointer >= 0) this.longLivedBlocks++;
    return pointer;
  }

  private reservePacked(bytes: number): number {
    const dataBytes = wholeWords(bytes);
    const blockBytes = sizeClassBytes(dataBytes + 2 * this.guardBytes);
    let start = this.freeBlocks.get(blockBytes)?.pop();
    if (start === undefined) {
      if (!this.ensureCapacity(this.top + blockBytes)) return -1;
      start = this.top;
      this.top += blockBytes;
    }
    return this.track(start, blockBytes, dataBytes, false);
  }

  /**
   * Top placement: blocks are stacked downwards from the end of the memory, the first one of a
   * stack ending exactly at the end (only a leading guard: past its end an access traps), each later
   * one ending at the previous one's leading guard. Without room below the stack, the memory grows
   * and a new stack starts at its new end.
   */
  private reserveAtTop(bytes: number): number {
    const dataBytes = wholeWords(bytes);
    const blockBytes = this.guardBytes + dataBytes;
    if (this.liveTopBlocks === 0) {
      this.stackFloor = this.capacityBytes;
      this.stackBase = this.top;
    }
    let start = this.stackFloor - blockBytes;
    if (start < Math.max(this.stackBase, this.top)) {
      const oldCapacity = this.capacityBytes;
      if (!this.ensureCapacity(oldCapacity + blockBytes)) return -1;
      this.stackBase = oldCapacity;
      start = this.capacityBytes - blockBytes;
    }
    this.stackFloor = start;
    this.liveTopBlocks++;
    return this.track(start, blockBytes, dataBytes, true);
  }

  private track(start: number, blockBytes: number, dataBytes: number, atTop: boolean): number {
    const guard = this.guardBytes;
    const pointer = start + guard;
    this.liveBlocks.set(pointer, { start, bytes: blockBytes, dataBytes, atTop });
    this.bytesInUse += blockBytes;
    if (guard > 0) {
      const words = this.words;
      fillGuard(words, start, pointer);
      fillGuard(words, pointer + dataBytes, Math.min(start + blockBytes, pointer + dataBytes + guard));
    }
    return pointer;
  }

  /**
   * Returns a block from {@link WasmHeap.reserve} for reuse. In debug mode its guards are checked
   * first unless `checkGuards` is false (cleaning up after a failed call, whose error must not be
   * masked by a report of its consequences).
   */
  release(pointer: number, checkGuards = true): void {
    const block = this.liveBlocks.get(pointer);
    if (block === undefined) {
      throw new Error(`wasm heap: free of byte offset ${pointer}, which is not an allocated block (double free?)`);
    }
    if (this.guardBytes > 0 && checkGuards) this.checkBlockGuards(pointer, block, 'before it was freed');
    this.liveBlocks.delete(pointer);
    this.bytesInUse -= block.bytes;
    if (block.atTop) {
      // The stack's floor rises to its lowest live block; with none left, the next stack starts at the end.
      this.liveTopBlocks--;
      let floor = this.capacityBytes;
      for (const live of this.liveBlocks.values()) {
        if (live.atTop && live.start >= this.stackBase) floor = Math.min(floor, live.start);
      }
      this.stackFloor = floor;
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
    // Reported once: the guards are restored so that later calls are checked afresh.
    fillGuard(words, block.start, pointer);
    fillGuard(words, pointer + block.dataBytes, trailEnd);
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
