import { describe, expect, it } from 'vitest';
import type { Ratings } from './ratings.js';
import { InteractionIndex, leaveOneOutSplit, randomRatingSplit, sampleNegatives, withNegatives } from './recommender-splits.js';

function ratingsOf(rows: Array<[number, number, number, number]>): Ratings {
  return {
    users: Int32Array.from(rows, (row) => row[0]),
    items: Int32Array.from(rows, (row) => row[1]),
    ratings: Float32Array.from(rows, (row) => row[2]),
    timestamps: Float64Array.from(rows, (row) => row[3]),
  };
}

describe('recommender splits', () => {
  const ratings = ratingsOf([
    [0, 1, 5, 300], [0, 2, 4, 100], [0, 3, 3, 200],
    [1, 0, 2, 50], [1, 4, 1, 60],
    [2, 2, 5, 10],
  ]);

  it('random split: sizes, disjoint rows, reproducible', () => {
    const { train, test } = randomRatingSplit(ratings, { test: 1 / 3, seed: 2 });
    expect(train.users.length).toBe(4);
    expect(test.users.length).toBe(2);
    const key = (part: Ratings, row: number) => `${part.users[row]}:${part.items[row]}`;
    const all = [...Array.from({ length: 4 }, (_, row) => key(train, row)), ...Array.from({ length: 2 }, (_, row) => key(test, row))];
    expect(new Set(all).size).toBe(6);
    expect(randomRatingSplit(ratings, { test: 1 / 3, seed: 2 }).test).toEqual(test);
  });

  it('leave-one-out holds out each user\'s latest rating (and the one before for validation)', () => {
    const { train, validation, test } = leaveOneOutSplit(ratings, { validation: true });
    expect(Array.from(test.items)).toEqual([1, 4]); // user 0's latest is item 1 (t=300), user 1's is item 4
    expect(Array.from(validation.items)).toEqual([3]); // user 0's second latest (t=200); user 1 has too few
    expect(Array.from(train.users)).toEqual([0, 1, 2]);
    const plain = leaveOneOutSplit(ratings);
    expect(plain.validation.users.length).toBe(0);
    expect(plain.test.users.length).toBe(2);
  });

  it('samples seeded negatives that the user never interacted with', () => {
    const itemCount = 6;
    const negatives = sampleNegatives(ratings, { itemCount, count: 50, seed: 11 });
    expect(negatives.length).toBe(6 * 50);
    const seen = InteractionIndex.build(ratings);
    for (let row = 0; row < 6; row++) {
      for (let draw = 0; draw < 50; draw++) {
        const item = negatives[row * 50 + draw];
        expect(item).toBeGreaterThanOrEqual(0);
        expect(item).toBeLessThan(itemCount);
        expect(seen.has(ratings.users[row], item)).toBe(false);
      }
    }
    expect(sampleNegatives(ratings, { itemCount, count: 50, seed: 11 })).toEqual(negatives);
    const training = withNegatives(ratings, { itemCount, count: 2, seed: 1 });
    expect(Array.from(training.labels.subarray(0, 6))).toEqual([1, 0, 0, 1, 0, 0]);
    expect(Array.from(training.users.subarray(0, 3))).toEqual([0, 0, 0]);
    expect(() => sampleNegatives(ratingsOf([[0, 0, 1, 1], [0, 1, 1, 1]]), { itemCount: 2, count: 1, seed: 1 })).toThrow(/interacted with all 2 items/);
    expect(() => InteractionIndex.build({ users: Int32Array.of(0, -1), items: Int32Array.of(0, 1) })).toThrow(/user index -1 at row 1 is negative/);
    expect(() => leaveOneOutSplit(ratingsOf([[0, 0, 1, 1], [-2, 1, 1, 1]]))).toThrow(/user index -2 at row 1 is negative/);
  });
});
