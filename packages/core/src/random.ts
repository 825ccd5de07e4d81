import { DendriteError } from './errors.js';

/**
 * Seeded random numbers. Values are generated on the host by one algorithm (xoshiro128**, seeded
 * through splitmix32 from `seed >>> 0`) and uploaded, so the same seed gives the same numbers on every
 * backend. `@dendrite/datasets`' `SeededRandom` is a copy of it (same seeding, `nextUint32`,
 * `nextFloat`, `nextInt`), so a seed shuffles data and initialises weights from one stream definition.
 *
 * @example
 * ```ts
 * const random = new RandomGenerator(42);
 * random.nextFloat(); // in [0, 1)
 * random.nextInt(10); // in 0..9, unbiased
 * ```
 */
export class RandomGenerator {
  private s0 = 0;
  private s1 = 0;
  private s2 = 0;
  private s3 = 0;
  private spareNormal: number | null = null;

  constructor(seed: number) {
    this.reseed(seed);
  }

  /** Restart the sequence from `seed`, as if newly constructed with it. */
  reseed(seed: number): void {
    let state = seed >>> 0;
    const next = (): number => {
      state = (state + 0x9e3779b9) >>> 0;
      let z = state;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.s0 = next();
    this.s1 = next();
    this.s2 = next();
    this.s3 = next();
    // xoshiro's one bad state; splitmix32 never yields four zeros in a row, but the rule is stated.
    if ((this.s0 | this.s1 | this.s2 | this.s3) === 0) this.s0 = 1;
    this.spareNormal = null;
  }

  /** A uniform 32-bit unsigned integer. */
  nextUint32(): number {
    const result = Math.imul(rotl(Math.imul(this.s1, 5) >>> 0, 7), 9) >>> 0;
    const t = (this.s1 << 9) >>> 0;
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3, 11);
    this.s0 >>>= 0; this.s1 >>>= 0; this.s2 >>>= 0; this.s3 >>>= 0;
    return result;
  }

  /** Uniform in [0, 1). */
  nextFloat(): number {
    return this.nextUint32() / 4294967296;
  }

  /** Standard normal (Box–Muller, both values used). */
  nextNormal(): number {
    if (this.spareNormal !== null) {
      const value = this.spareNormal;
      this.spareNormal = null;
      return value;
    }
    let u = 0;
    while (u === 0) u = this.nextFloat();
    const v = this.nextFloat();
    const radius = Math.sqrt(-2 * Math.log(u));
    this.spareNormal = radius * Math.sin(2 * Math.PI * v);
    return radius * Math.cos(2 * Math.PI * v);
  }

  /**
   * An integer in [0, n) without modulo bias (the top sliver of the 32-bit range that does not divide
   * evenly is redrawn), for n in 1..2^32.
   */
  nextInt(n: number): number {
    if (!Number.isInteger(n) || n < 1 || n > 4294967296) {
      throw new DendriteError(`RandomGenerator.nextInt: n must be an integer in 1..2^32, got ${n}`);
    }
    const limit = 4294967296 - (4294967296 % n);
    let value = this.nextUint32();
    while (value >= limit) value = this.nextUint32();
    return value % n;
  }
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}

let globalGenerator = new RandomGenerator(42);

/** Seed the generator that random ops use when no `seed` is given. */
export function setSeed(seed: number): void {
  globalGenerator = new RandomGenerator(seed);
}

/** The generator for one call: a fresh one for an explicit seed, else the global one. */
export function generatorFor(seed?: number): RandomGenerator {
  return seed === undefined ? globalGenerator : new RandomGenerator(seed);
}
