import { describe, expect, it } from 'vitest';
import { DendriteError } from '@dendrite/core';
import { IdMap } from '@dendrite/datasets';
import { InteractionMatrix } from './interactions.js';

describe('InteractionMatrix', () => {
  it('stores CSR both ways with raw id maps, a repeated pair keeping its last value', () => {
    const matrix = InteractionMatrix.fromRawIds([10, 7, 10, 10], [5, 3, 3, 5], Float32Array.of(1, 2, 3, 4));
    expect(matrix.userCount).toBe(2);
    expect(matrix.itemCount).toBe(2);
    expect(matrix.size).toBe(3);
    // User 10 is index 1; item 3 is index 0, item 5 index 1.
    expect(Array.from(matrix.itemsOf(1))).toEqual([0, 1]);
    expect(Array.from(matrix.valuesOf(1))).toEqual([3, 4]);
    expect(Array.from(matrix.usersOf(0))).toEqual([0, 1]);
    expect(Array.from(matrix.byItem.values)).toEqual([2, 3, 4]);
    expect(matrix.has(0, 1)).toBe(false);
    expect(matrix.has(1, 1)).toBe(true);
    expect(matrix.toColumns()).toEqual({ users: Int32Array.of(0, 1, 1), items: Int32Array.of(0, 0, 1), ratings: Float32Array.of(2, 3, 4) });
  });

  it('refuses NaN ratings, indices outside the maps and unknown raw ids, naming the row', () => {
    const ids = { userIds: IdMap.fromIds([1, 2]), itemIds: IdMap.fromIds([1, 2, 3]) };
    expect(() => InteractionMatrix.fromRatings({ users: Int32Array.of(0, 1), items: Int32Array.of(0, 1), ratings: Float32Array.of(4, NaN) }, ids))
      .toThrow('InteractionMatrix: rating NaN at row 1 is not a finite number');
    expect(() => InteractionMatrix.fromRatings({ users: Int32Array.of(0), items: Int32Array.of(3) }, ids))
      .toThrow('InteractionMatrix: item index 3 at row 0 is outside the catalogue [0, 3)');
    expect(() => InteractionMatrix.fromRawIds([1, 9], [1, 1], undefined, ids)).toThrow(DendriteError);
    expect(() => InteractionMatrix.fromRawIds([1, 9], [1, 1], undefined, ids)).toThrow('unknown user id 9 at row 1');
    const matrix = InteractionMatrix.fromRatings({ users: Int32Array.of(0), items: Int32Array.of(1) }, ids);
    expect(() => matrix.itemIndex(42, 'recommend')).toThrow('recommend: item 42 is not in the catalogue (3 items)');
  });
});
