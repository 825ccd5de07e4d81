/**
 * A small seeded generator (mulberry32), so every implementation gets the same initial weights and
 * the same batch order.
 */
export class SeededRandom {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** A float in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let mixed = this.state;
    mixed = Math.imul(mixed ^ (mixed >>> 15), mixed | 1);
    mixed ^= mixed + Math.imul(mixed ^ (mixed >>> 7), mixed | 61);
    return ((mixed ^ (mixed >>> 14)) >>> 0) / 4294967296;
  }

  /** 0..count-1 in random order (Fisher–Yates). */
  permutation(count: number): Int32Array {
    const order = new Int32Array(count);
    for (let index = 0; index < count; index++) order[index] = index;
    for (let index = count - 1; index > 0; index--) {
      const other = Math.floor(this.next() * (index + 1));
      const swap = order[index];
      order[index] = order[other];
      order[other] = swap;
    }
    return order;
  }
}
