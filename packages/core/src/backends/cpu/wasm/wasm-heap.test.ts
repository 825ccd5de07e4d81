import { describe, expect, it } from 'vitest';
import { GUARD_WORD, debugOptionsFromEnvironment, type WasmHeapDebugOptions } from './heap-guards.js';
import { PAGE_BYTES, WasmHeap, sizeClassBytes } from './wasm-heap.js';

function sharedHeap(initialPages = 1, maximumPages = 64): WasmHeap {
  const memory = new WebAssembly.Memory({ initial: initialPages, maximum: maximumPages, shared: true });
  return new WasmHeap(memory, 8, true);
}

describe('sizeClassBytes', () => {
  it('rounds small requests to 64 bytes and large ones to a quarter power of two', () => {
    expect(sizeClassBytes(0)).toBe(64);
    expect(sizeClassBytes(1)).toBe(64);
    expect(sizeClassBytes(65)).toBe(128);
    expect(sizeClassBytes(1024)).toBe(1024);
    expect(sizeClassBytes(1025)).toBe(1280);
    expect(sizeClassBytes(4096)).toBe(4096);
    expect(sizeClassBytes(4097)).toBe(5120);
    for (let bytes = 1; bytes < 1 << 22; bytes = Math.ceil(bytes * 1.37)) {
      const size = sizeClassBytes(bytes);
      expect(size).toBeGreaterThanOrEqual(bytes);
      expect(size % 64).toBe(0);
      expect(size).toBeLessThanOrEqual(Math.max(64, bytes * 1.25 + 64));
    }
  });
});

describe('WasmHeap', () => {
  it('hands out aligned, disjoint views into the memory', () => {
    const heap = sharedHeap();
    const first = heap.allocateFloat32(10)!;
    const second = heap.allocateFloat32(100)!;
    expect(first.length).toBe(10);
    expect(first.byteOffset % 64).toBe(0);
    expect(second.byteOffset % 64).toBe(0);
    expect(second.byteOffset).toBeGreaterThanOrEqual(first.byteOffset + 64);
    expect(heap.contains(first)).toBe(true);
    expect(heap.contains(new Float32Array(10))).toBe(false);
    second.fill(4);
    first.fill(3);
    expect(second.every((value) => value === 4)).toBe(true);
  });

  it('reuses a freed block of the same size class', () => {
    const heap = sharedHeap();
    const first = heap.allocateFloat32(300)!;
    first.fill(7);
    const offset = first.byteOffset;
    heap.freeFloat32(first);
    expect(heap.liveBytes).toBe(0);
    const again = heap.allocateFloat32(290)!;
    expect(again.byteOffset).toBe(offset);
    expect(again.length).toBe(290);
    const other = heap.allocateFloat32(300)!;
    expect(other.byteOffset).not.toBe(offset);
  });

  it('rejects a double free with a clear error and ignores arrays it does not own', () => {
    const heap = sharedHeap();
    const array = heap.allocateFloat32(16)!;
    heap.freeFloat32(array);
    expect(() => heap.freeFloat32(array)).toThrow(/not an allocated block/);
    expect(() => heap.freeFloat32(new Float32Array(4))).not.toThrow();
  });

  it('grows the memory on demand and keeps earlier views valid', () => {
    const heap = sharedHeap(1, 256);
    const early = heap.allocateFloat32(1000)!;
    early.fill(1.5);
    const pagesBefore = heap.capacityBytes / PAGE_BYTES;
    const big = heap.allocateFloat32(3 * PAGE_BYTES)!;
    expect(heap.capacityBytes / PAGE_BYTES).toBeGreaterThan(pagesBefore);
    big.fill(2);
    expect(early[999]).toBe(1.5);
    expect(heap.contains(early)).toBe(true);
    expect(heap.contains(big)).toBe(true);
    // Writing through the old view lands in the same memory the new buffer sees.
    early[0] = 9;
    expect(heap.floats[early.byteOffset / 4]).toBe(9);
  });

  it('returns null once the maximum memory is reached, and recovers after frees', () => {
    const heap = sharedHeap(1, 4);
    const blocks: Float32Array[] = [];
    for (;;) {
      const block = heap.allocateFloat32(PAGE_BYTES / 8);
      if (block === null) break;
      blocks.push(block);
    }
    expect(blocks.length).toBeGreaterThan(4);
    expect(heap.reserve(5 * PAGE_BYTES)).toBe(-1);
    heap.freeFloat32(blocks.pop()!);
    expect(heap.allocateFloat32(PAGE_BYTES / 8)).not.toBeNull();
  });

  it('tracks live bytes across many allocations and frees', () => {
    const heap = sharedHeap(1, 1024);
    const live = new Map<Float32Array, number>();
    let seed = 12345;
    const random = (): number => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
    for (let step = 0; step < 2000; step++) {
      if (live.size > 0 && random() < 0.45) {
        const victim = [...live.keys()][Math.floor(random() * live.size)];
        live.delete(victim);
        heap.freeFloat32(victim);
      } else {
        const array = heap.allocateFloat32(1 + Math.floor(random() * 5000))!;
        array.fill(step);
        live.set(array, step);
      }
    }
    const expected = [...live.keys()].reduce((total, array) => total + sizeClassBytes(array.length * 4), 0);
    expect(heap.liveBytes).toBe(expected);
    // No two live blocks overlap: each still holds what it was filled with.
    for (const [array, value] of live) expect(array.every((element) => element === value)).toBe(true);
    const ranges = [...live.keys()].map((array) => [array.byteOffset, array.byteOffset + array.length * 4]).sort((x, y) => x[0] - y[0]);
    for (let i = 1; i < ranges.length; i++) expect(ranges[i][0]).toBeGreaterThanOrEqual(ranges[i - 1][1]);
  });
});

describe('WasmHeap debug mode', () => {
  function debugHeap(debug: WasmHeapDebugOptions, initialPages = 1): WasmHeap {
    const memory = new WebAssembly.Memory({ initial: initialPages, maximum: 256, shared: true });
    return new WasmHeap(memory, 8, true, debug);
  }

  it('surrounds every block with guard words and names the block whose guard was overwritten', () => {
    const heap = debugHeap({ guardBytes: 64 });
    const first = heap.allocateFloat32(10)!;
    const second = heap.allocateFloat32(33)!;
    expect(first.byteOffset % 64).toBe(0);
    const words = new Int32Array(heap.memory.buffer);
    expect(words[(first.byteOffset >> 2) - 1]).toBe(GUARD_WORD);
    expect(words[(first.byteOffset >> 2) + 10]).toBe(GUARD_WORD);
    // Guards are NaNs, so a kernel that reads past a buffer spoils its result.
    expect(new Float32Array(heap.memory.buffer)[(second.byteOffset >> 2) + 33]).toBeNaN();
    first.fill(1);
    second.fill(2);
    heap.checkGuards('filling');
    // One float past the end of the second block.
    new Float32Array(heap.memory.buffer)[(second.byteOffset >> 2) + 33] = 0;
    expect(() => heap.checkGuards("kernel 'test'")).toThrow(
      `wasm heap guard overwritten after kernel 'test': block at byte ${second.byteOffset} (132 bytes), 0 bytes past its end`);
    // Reported once, then restored: the next check passes, a new overwrite is caught again.
    heap.checkGuards('the next kernel');
    new Float32Array(heap.memory.buffer)[(second.byteOffset >> 2) + 40] = 0;
    expect(() => heap.freeFloat32(second)).toThrow(/before it was freed: .* 28 bytes past its end/);
    // One float before the start of the first.
    const third = heap.allocateFloat32(4)!;
    new Float32Array(heap.memory.buffer)[(third.byteOffset >> 2) - 2] = 0;
    expect(() => heap.freeFloat32(third)).toThrow(/8 bytes before its start/);
  });

  it('stacks blocks down from the very end of the memory with top placement, and grows it for a new stack', () => {
    const heap = debugHeap({ placement: 'top', guardBytes: 64 });
    const scratch = heap.reserveLongLived(1000);
    const first = heap.allocateFloat32(100)!;
    const capacity = heap.capacityBytes;
    expect(first.byteOffset + 400).toBe(capacity);
    // The next block ends at the first one's leading guard (guards are NaNs, writes to them are caught).
    const second = heap.allocateFloat32(3000)!;
    expect(second.byteOffset + 12000).toBe(first.byteOffset - 64);
    // Freed, its room is reused; with every block freed, the next one is at the very end again.
    heap.freeFloat32(second);
    const third = heap.allocateFloat32(3000)!;
    expect(third.byteOffset).toBe(second.byteOffset);
    heap.freeFloat32(first);
    heap.freeFloat32(third);
    const fourth = heap.allocateFloat32(10)!;
    expect(fourth.byteOffset + 40).toBe(capacity);
    // No room below the stack: the memory grows and a new stack starts at its new end.
    const large = heap.allocateFloat32(capacity / 4)!;
    expect(heap.capacityBytes).toBeGreaterThan(capacity);
    expect(large.byteOffset + capacity).toBe(heap.capacityBytes);
    expect(heap.capacityBytes).toBeLessThanOrEqual(3 * capacity);
    heap.freeFloat32(large);
    heap.freeFloat32(fourth);
    expect(heap.liveBytes).toBe(sizeClassBytes(1000 + 128));
    expect(scratch).toBeGreaterThan(0);
    expect(() => heap.reserveLongLived(10)).not.toThrow();
    heap.allocateFloat32(1);
    expect(() => heap.reserveLongLived(10)).toThrow(/before any other block/);
  });

  it('reads its settings from DENDRITE_WASM_DEBUG', () => {
    const saved = process.env.DENDRITE_WASM_DEBUG;
    try {
      delete process.env.DENDRITE_WASM_DEBUG;
      expect(debugOptionsFromEnvironment()).toBeUndefined();
      process.env.DENDRITE_WASM_DEBUG = 'guards';
      expect(debugOptionsFromEnvironment()).toEqual({ guardBytes: 64 });
      process.env.DENDRITE_WASM_DEBUG = 'guards=256, top';
      expect(debugOptionsFromEnvironment()).toEqual({ guardBytes: 256, placement: 'top' });
      process.env.DENDRITE_WASM_DEBUG = 'canaries';
      expect(() => debugOptionsFromEnvironment()).toThrow(/unknown setting 'canaries'/);
    } finally {
      if (saved === undefined) delete process.env.DENDRITE_WASM_DEBUG;
      else process.env.DENDRITE_WASM_DEBUG = saved;
    }
    expect(() => debugHeap({ guardBytes: 10 })).toThrow(/multiple of 64/);
  });
});
