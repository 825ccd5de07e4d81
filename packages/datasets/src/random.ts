import { DatasetError } from './errors.js';

/**
 * A small seeded pseudo-random generator (xoshiro128**, seeded through splitmix32 from `seed >>> 0`),
 * a copy of `@dendrite/core`'s `RandomGenerator` so that this package needs no core. Used by every shuffle, split and sampler in this
 * package so that the same seed always gives the same order, in Node and in the browser alike.
 *
 * @example
 * ```ts
 * const random = new SeededRandom(42);
 * random.nextFloat(); // in [0, 1)
 * random.nextInt(10); // in 0..9
 * ```
 */
export class SeededRandom {
  private readonly state = new Uint32Array(4);

  constructor(seed: number) {
    // NaN, Infinity or a missing seed would silently become seed 0 under `>>> 0`.
    if (typeof seed !== 'number' || !Number.isFinite(seed)) throw new DatasetError(`SeededRandom: seed must be a finite number, got ${String(seed)}`);
    // splitmix32 spreads one number over the 128-bit state; an all-zero state would be stuck at zero.
    // The same algorithm and seeding rule as @dendrite/core's RandomGenerator (seed >>> 0, then
    // splitmix32), so a seed gives one stream in both; random.test.ts proves it.
    let mixed = seed >>> 0;
    for (let index = 0; index < 4; index++) {
      mixed = (mixed + 0x9e3779b9) >>> 0;
      let value = mixed;
      value = Math.imul(value ^ (value >>> 16), 0x85ebca6b);
      value = Math.imul(value ^ (value >>> 13), 0xc2b2ae35);
      this.state[index] = (value ^ (value >>> 16)) >>> 0;
    }
    if ((this.state[0] | this.state[1] | this.state[2] | this.state[3]) === 0) this.state[0] = 1;
  }

  /** The next 32-bit unsigned integer. */
  nextUint32(): number {
    const state = this.state;
    const result = Math.imul(rotateLeft(Math.imul(state[1], 5), 7), 9) >>> 0;
    const shifted = state[1] << 9;
    state[2] ^= state[0];
    state[3] ^= state[1];
    state[1] ^= state[2];
    state[0] ^= state[3];
    state[2] ^= shifted;
    state[3] = rotateLeft(state[3], 11);
    return result;
  }

  /** A float in [0, 1) with 32 bits of randomness. */
  nextFloat(): number {
    return this.nextUint32() / 4294967296;
  }

  /** An integer in [0, maxExclusive), without modulo bias. `maxExclusive` must be in 1..2^32. */
  nextInt(maxExclusive: number): number {
    if (!Number.isInteger(maxExclusive) || maxExclusive < 1 || maxExclusive > 4294967296) {
      throw new RangeError(`nextInt: maxExclusive must be an integer in 1..2^32, got ${maxExclusive}`);
    }
    // Reject the top sliver of the 32-bit range that does not divide evenly.
    const limit = 4294967296 - (4294967296 % maxExclusive);
    let value = this.nextUint32();
    while (value >= limit) value = this.nextUint32();
    return value % maxExclusive;
  }

  /** Fisher–Yates shuffle in place; returns the same array. */
  shuffleInPlace<T extends { length: number; [index: number]: unknown }>(array: T): T {
    for (let index = array.length - 1; index > 0; index--) {
      const other = this.nextInt(index + 1);
      const value = array[index];
      array[index] = array[other];
      array[other] = value;
    }
    return array;
  }

  /** A shuffled permutation of 0..length-1. */
  permutation(length: number): Int32Array {
    const indices = new Int32Array(length);
    for (let index = 0; index < length; index++) indices[index] = index;
    return this.shuffleInPlace(indices);
  }

  /** A seed for a child generator, so that e.g. each epoch of a shuffle gets its own reproducible order. */
  deriveSeed(): number {
    return this.nextUint32();
  }
}

function rotateLeft(value: number, bits: number): number {
  return ((value << bits) | (value >>> (32 - bits))) >>> 0;
}
