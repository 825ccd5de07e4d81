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

/**
 * A block allocator over a WebAssembly.Memory: bump allocation from `base`, with per-size-class
 * free lists for reuse, growing the memory when it runs out. Pointers are byte offsets; blocks are
 * never split or merged (float32 tensors come in few distinct sizes, so classes recycle well).
 */
export class WasmHeap {
  readonly memory: WebAssembly.Memory;
  /** Whether the memory is shared, so views survive growth (an unshared buffer is detached by it). */
  readonly shared: boolean;
  private top: number;
  private readonly freeBlocks = new Map<number, number[]>();
  private readonly liveBlocks = new Map<number, number>();
  /** Every ArrayBuffer/SharedArrayBuffer object this memory has shown, to recognise its views. */
  private readonly knownBuffers = new WeakSet<ArrayBufferLike>();
  private float32View: Float32Array;
  private bytesInUse = 0;

  constructor(memory: WebAssembly.Memory, base: number, shared: boolean) {
    this.memory = memory;
    this.shared = shared;
    this.top = Math.ceil(base / ALIGNMENT) * ALIGNMENT;
    this.float32View = new Float32Array(memory.buffer);
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
    const blockBytes = sizeClassBytes(bytes);
    const recycled = this.freeBlocks.get(blockBytes)?.pop();
    let pointer: number;
    if (recycled !== undefined) {
      pointer = recycled;
    } else {
      if (!this.ensureCapacity(this.top + blockBytes)) return -1;
      pointer = this.top;
      this.top += blockBytes;
    }
    this.liveBlocks.set(pointer, blockBytes);
    this.bytesInUse += blockBytes;
    return pointer;
  }

  /** Returns a block from {@link WasmHeap.reserve} for reuse. */
  release(pointer: number): void {
    const blockBytes = this.liveBlocks.get(pointer);
    if (blockBytes === undefined) {
      throw new Error(`wasm heap: free of byte offset ${pointer}, which is not an allocated block (double free?)`);
    }
    this.liveBlocks.delete(pointer);
    this.bytesInUse -= blockBytes;
    let list = this.freeBlocks.get(blockBytes);
    if (list === undefined) {
      list = [];
      this.freeBlocks.set(blockBytes, list);
    }
    list.push(pointer);
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
