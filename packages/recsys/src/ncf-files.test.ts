import { describe, expect, it } from 'vitest';
import { formatNcfFiles, parseNcfNegatives, parseNcfRatings, type NcfSplit } from './ncf-files.js';

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
});
