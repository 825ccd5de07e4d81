import { describe, expect, it } from 'vitest';
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
