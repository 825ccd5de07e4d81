import { DatasetError } from './errors.js';

/**
 * A dense 0-based index for raw integer ids (MovieLens user and movie ids), and back.
 * Indices follow ascending raw id, so the same ids always give the same indices.
 *
 * @example
 * ```ts
 * const users = IdMap.fromIds([10, 3, 10, 7]); // raw ids 3, 7, 10
 * users.index(7); // 1
 * users.rawId(2); // 10
 * ```
 */
export class IdMap {
  private readonly lookup: Map<number, number>;

  private constructor(
    /** Raw ids in index order (ascending). */
    readonly rawIds: Int32Array,
  ) {
    this.lookup = new Map();
    for (let index = 0; index < rawIds.length; index++) this.lookup.set(rawIds[index], index);
  }

  /** Builds the map from any list of ids; duplicates collapse to one index. */
  static fromIds(ids: ArrayLike<number>): IdMap {
    const distinct = new Set<number>();
    for (let row = 0; row < ids.length; row++) distinct.add(ids[row]);
    const unique = Int32Array.from(distinct);
    unique.sort();
    return new IdMap(unique);
  }

  /** Number of distinct ids. */
  get size(): number {
    return this.rawIds.length;
  }

  /** Dense index of a raw id, or -1 when the id is unknown. */
  index(rawId: number): number {
    return this.lookup.get(rawId) ?? -1;
  }

  /** True when the raw id has an index. */
  has(rawId: number): boolean {
    return this.lookup.has(rawId);
  }

  /** Raw id of a dense index. */
  rawId(index: number): number {
    if (!Number.isInteger(index) || index < 0 || index >= this.rawIds.length) {
      throw new DatasetError(`index ${index} is out of range 0..${this.rawIds.length - 1}`);
    }
    return this.rawIds[index];
  }

  /** Maps a whole column of raw ids to indices (throws on the first unknown id). */
  indicesOf(rawIds: ArrayLike<number>, source = 'ids'): Int32Array {
    const indices = new Int32Array(rawIds.length);
    for (let row = 0; row < rawIds.length; row++) {
      const index = this.lookup.get(rawIds[row]);
      if (index === undefined) throw new DatasetError(`unknown id ${rawIds[row]} at row ${row}`, { file: source });
      indices[row] = index;
    }
    return indices;
  }
}
