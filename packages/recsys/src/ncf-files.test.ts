import { describe, expect, it } from 'vitest';
import { InteractionIndex, SeededRandom } from '@dendrite/datasets';
import { buildNcfSplit, formatNcfFiles, parseNcfNegatives, parseNcfRatings, sampleDistinctNegatives, type NcfSplit } from './ncf-files.js';

/** Random ratings: each of `users` users rates `perUser` distinct items of `items`, with increasing timestamps. */
function randomRatings(users: number, items: number, perUser: number, seed: number) {
  const random = new SeededRandom(seed);
  const rows: number[][] = [];
  for (let user = 0; user < users; user++) {
    const picked = random.permutation(items).subarray(0, perUser);
    picked.forEach((item, position) => rows.push([user, item, 1 + (position % 5), 1000 + position]));
  }
  return {
    users: Int32Array.from(rows, (row) => row[0]), items: Int32Array.from(rows, (row) => row[1]),
    ratings: Float32Array.from(rows, (row) => row[2]), timestamps: Float64Array.from(rows, (row) => row[3]),
  };
}

describe('NCF file format', () => {
  it('formats and parses the three files back to the same rows', () => {
    const table = (users: number[], items: number[]) => ({
      users: Int32Array.from(users), items: Int32Array.from(items), ratings: Float32Array.from(users, () => 4), timestamps: Float64Array.from(users, (_, row) => 880000000 + row),
    });
    const split: NcfSplit = {
      train: table([0, 0, 1], [1, 2, 0]), test: table([0, 1], [3, 2]),
      negatives: Int32Array.of(0, 4, 1, 4), negativesPerUser: 2, userCount: 2, itemCount: 5,
    };
    const files = formatNcfFiles(split);
    expect(files.negatives).toBe('(0,3)\t0\t4\n(1,2)\t1\t4\n');
    expect(parseNcfRatings(files.train, 'train')).toEqual(split.train);
    expect(parseNcfRatings(files.test, 'test')).toEqual(split.test);
    const zeroed = { ...split.test, ratings: new Float32Array(2), timestamps: new Float64Array(2) };
    expect(parseNcfRatings(formatNcfFiles(split, { test: zeroed }).test, 'test')).toEqual(zeroed);
    expect(parseNcfNegatives(files.negatives, 'negatives')).toEqual({ users: Int32Array.of(0, 1), items: Int32Array.of(3, 2), negatives: split.negatives, perUser: 2 });
  });

  it('names the file and line of a malformed row', () => {
    expect(() => parseNcfRatings('0\t1\t5\t0\n1\tx\t3\t0\n', 'a.train.rating')).toThrow('a.train.rating:2: expected "user<TAB>item<TAB>rating<TAB>timestamp"');
    expect(() => parseNcfRatings('-1\t1\t5\t0\n', 'a.train.rating')).toThrow('a.train.rating:1:');
    expect(() => parseNcfNegatives('(0,1)\t5\t6\n(1,2)\t5\n', 'a.test.negative')).toThrow('a.test.negative:2: 1 negatives, but earlier lines have 2');
    expect(() => parseNcfNegatives('0,1\t5\n', 'a.test.negative')).toThrow('a.test.negative:1: expected "(user,item)"');
  });

  it('draws each row\'s negatives without replacement, never a rated item, seeded', () => {
    // 40 items, users rating 10: 99 negatives are impossible, 25 of the 30 unrated take the dense path, 5 the rejection path.
    const ratings = randomRatings(30, 40, 10, 3);
    for (const count of [5, 25, 30]) {
      const split = buildNcfSplit(ratings, { itemCount: 40, negatives: count, seed: 7 });
      const rated = InteractionIndex.build(ratings);
      for (let row = 0; row < split.test.users.length; row++) {
        const drawn = Array.from(split.negatives.subarray(row * count, (row + 1) * count));
        expect(new Set(drawn).size).toBe(count);
        for (const item of drawn) {
          expect(item).toBeGreaterThanOrEqual(0);
          expect(item).toBeLessThan(40);
          expect(rated.has(split.test.users[row], item)).toBe(false);
        }
      }
      expect(buildNcfSplit(ratings, { itemCount: 40, negatives: count, seed: 7 }).negatives).toEqual(split.negatives);
      if (count < 30) expect(buildNcfSplit(ratings, { itemCount: 40, negatives: count, seed: 8 }).negatives).not.toEqual(split.negatives);
    }
    expect(() => buildNcfSplit(ratings, { itemCount: 40, negatives: 31, seed: 7 })).toThrow(/has 30 unrated items, fewer than the 31 distinct negatives/);
  });

  it('covers the unrated items uniformly', () => {
    // One user who rated items 0..4 of 20; 3 distinct negatives per row over many rows: each unrated item ~3/15 of rows.
    const rows = 3000;
    const exclude = InteractionIndex.build({ users: new Int32Array(5), items: Int32Array.of(0, 1, 2, 3, 4) });
    const negatives = sampleDistinctNegatives({ users: new Int32Array(rows), items: new Int32Array(rows) }, { itemCount: 20, count: 3, seed: 2, exclude });
    const counts = new Int32Array(20);
    for (const item of negatives) counts[item]++;
    for (let item = 0; item < 5; item++) expect(counts[item]).toBe(0);
    for (let item = 5; item < 20; item++) expect(Math.abs(counts[item] / rows - 0.2)).toBeLessThan(0.04);
  });
});
