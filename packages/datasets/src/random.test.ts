import { describe, expect, it } from 'vitest';
import { RandomGenerator } from '@dendrite/core';
import { SeededRandom } from './random.js';

describe('SeededRandom', () => {
  it('gives the same sequence for the same seed and a different one for another seed', () => {
    const first = new SeededRandom(42);
    const second = new SeededRandom(42);
    const other = new SeededRandom(43);
    const a = Array.from({ length: 8 }, () => first.nextUint32());
    const b = Array.from({ length: 8 }, () => second.nextUint32());
    const c = Array.from({ length: 8 }, () => other.nextUint32());
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
  });

  it('draws integers in range with roughly uniform frequency', () => {
    const random = new SeededRandom(7);
    const counts = new Array(10).fill(0);
    for (let draw = 0; draw < 100000; draw++) counts[random.nextInt(10)]++;
    for (const count of counts) expect(Math.abs(count - 10000)).toBeLessThan(500);
    for (let draw = 0; draw < 1000; draw++) {
      const value = random.nextFloat();
      expect(value).toBeGreaterThanOrEqual(0);
      expect(value).toBeLessThan(1);
    }
  });

  it('makes permutations that contain every index once', () => {
    const permutation = new SeededRandom(1).permutation(1000);
    expect(Array.from(permutation).sort((left, right) => left - right)).toEqual(Array.from({ length: 1000 }, (_, index) => index));
    expect(Array.from(permutation.subarray(0, 10))).not.toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it('rejects a bad bound', () => {
    expect(() => new SeededRandom(1).nextInt(0)).toThrow(RangeError);
  });
});

describe('SeededRandom and @dendrite/core RandomGenerator', () => {
  // The same reference outputs core's random.test.ts pins (xoshiro128**, splitmix32 from seed >>> 0).
  it('give the same stream for the same seed', () => {
    expect(Array.from({ length: 4 }, ((random) => () => random.nextUint32())(new SeededRandom(42)))).toEqual([2837322924, 544945897, 479756282, 3500138142]);
    for (const seed of [0, 1, 42, 12345, -1, 2 ** 31, 2 ** 32 + 7, 3.7]) {
      const ours = new SeededRandom(seed);
      const cores = new RandomGenerator(seed);
      for (let draw = 0; draw < 200; draw++) expect(ours.nextUint32()).toBe(cores.nextUint32());
      for (let draw = 0; draw < 200; draw++) expect(ours.nextFloat()).toBe(cores.nextFloat());
      for (const bound of [1, 2, 10, 1000, 60000, 2 ** 31 + 1]) expect(ours.nextInt(bound)).toBe(cores.nextInt(bound));
    }
  });
});
