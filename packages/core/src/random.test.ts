import { describe, expect, it } from 'vitest';
import { DendriteError } from './errors.js';
import { RandomGenerator } from './random.js';

// The first four outputs of xoshiro128** seeded through splitmix32 from `seed >>> 0`, computed by an
// independent Python transcription of the reference algorithm. @dendrite/datasets' SeededRandom is
// pinned to the same numbers (packages/datasets/src/random.test.ts).
const REFERENCE_STREAMS: ReadonlyArray<[number, number[]]> = [
  [0, [3809008728, 1133695204, 53579671, 2891528803]],
  [42, [2837322924, 544945897, 479756282, 3500138142]],
  [-1, [835879718, 1921286648, 2356205009, 1885780724]],
];

describe('RandomGenerator', () => {
  it('is xoshiro128** seeded through splitmix32 from seed >>> 0', () => {
    for (const [seed, expected] of REFERENCE_STREAMS) {
      const random = new RandomGenerator(seed);
      expect(Array.from({ length: 4 }, () => random.nextUint32())).toEqual(expected);
    }
    // The seeding rule: seed >>> 0, so 2^32 + 42 and 42 are one seed.
    expect(new RandomGenerator(2 ** 32 + 42).nextUint32()).toBe(2837322924);
  });

  it('draws unbiased integers in range, and refuses an empty range', () => {
    const random = new RandomGenerator(7);
    const counts = new Array(10).fill(0);
    for (let draw = 0; draw < 100000; draw++) counts[random.nextInt(10)]++;
    for (const count of counts) expect(Math.abs(count - 10000)).toBeLessThan(500);
    // n = 3·2^30 makes modulo bias visible (10 does not: 2^32 mod 10 is 6): a plain
    // nextUint32() % n lands below 2^30 half the time, the redrawing nextInt a third of the time.
    const large = 3 * 2 ** 30;
    let low = 0;
    for (let draw = 0; draw < 3000; draw++) if (random.nextInt(large) < 2 ** 30) low++;
    expect(Math.abs(low / 3000 - 1 / 3)).toBeLessThan(0.05);
    expect(() => random.nextInt(0)).toThrow(DendriteError);
  });
});
