import { describe, expect, it } from 'vitest';
import { DatasetError } from './errors.js';
import { IdMap } from './id-map.js';

describe('IdMap', () => {
  it('fromIds orders indices by ascending raw id and collapses duplicates', () => {
    const map = IdMap.fromIds([10, 3, 10, 7]);
    expect(Array.from(map.rawIds)).toEqual([3, 7, 10]);
    expect([map.index(3), map.index(7), map.index(10), map.index(4)]).toEqual([0, 1, 2, -1]);
    expect(map.rawId(2)).toBe(10);
    expect(() => map.rawId(3)).toThrow(DatasetError);
    expect(() => map.indicesOf([7, 8])).toThrow(/unknown id 8 at row 1/);
  });

  it('extendedWith keeps every known index and appends the new ids in ascending order', () => {
    const map = IdMap.fromIds([10, 3, 7]);
    const grown = map.extendedWith([5, 10, 1, 5, 20]);
    expect(Array.from(grown.rawIds)).toEqual([3, 7, 10, 1, 5, 20]);
    for (const id of [3, 7, 10]) expect(grown.index(id)).toBe(map.index(id));
    expect([grown.index(1), grown.index(5), grown.index(20)]).toEqual([3, 4, 5]);
    expect(grown.size).toBe(6);
    expect(map.size).toBe(3); // the original is unchanged
    expect(map.extendedWith([7, 3])).toBe(map);
  });

  it('fromOrderedIds keeps the given order (a saved map read back) and refuses a repeated id', () => {
    const grown = IdMap.fromIds([10, 3]).extendedWith([1]);
    const again = IdMap.fromOrderedIds(grown.rawIds);
    expect(Array.from(again.rawIds)).toEqual([3, 10, 1]);
    expect(again.index(1)).toBe(2);
    // An ascending (older, fromIds-built) map reads back identically.
    expect(Array.from(IdMap.fromOrderedIds(IdMap.fromIds([9, 2, 5]).rawIds).rawIds)).toEqual([2, 5, 9]);
    expect(() => IdMap.fromOrderedIds([4, 8, 4])).toThrow(/id 4 at position 2 repeats/);
  });
});
