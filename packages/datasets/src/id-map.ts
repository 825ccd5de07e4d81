import { DatasetError } from './errors.js';

/**
 * A dense 0-based index for raw integer ids (MovieLens user and movie ids), and back.
 * {@link IdMap.fromIds} orders indices by ascending raw id, so the same ids always give the same indices;
 * {@link IdMap.extendedWith} appends new ids after the existing ones, so a known id keeps its index.
 *
 * @example
 * ```ts
 * const users = IdMap.fromIds([10, 3, 10, 7]); // raw ids 3, 7, 10
 * users.index(7); // 1
 * users.rawId(2); // 10
 * users.extendedWith([5, 10]).rawIds; // [3, 7, 10, 5]: 3, 7 and 10 keep indices 0, 1, 2
 * ```
 */
export class IdMap {
  private readonly lookup: Map<number, number>;

  private constructor(
    /** Raw ids in index order (ascending for {@link IdMap.fromIds}; appended ones after the rest). */
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

  /**
   * The map with these raw ids in exactly this order (index i is `ids[i]`), e.g. a saved map's `rawIds`
   * read back. A repeated id is a `DatasetError` (it would give one id two indices).
   */
  static fromOrderedIds(ids: ArrayLike<number>): IdMap {
    const ordered = Int32Array.from(ids);
    const map = new IdMap(ordered);
    if (map.lookup.size !== ordered.length) {
      const seen = new Set<number>();
      const row = ordered.findIndex((id) => seen.size === seen.add(id).size);
      throw new DatasetError(`id ${ordered[row]} at position ${row} repeats an earlier id; an id map holds each id once`);
    }
    return map;
  }

  /**
   * This map grown by `ids`: every known id keeps its index, the ids it lacks follow in ascending
   * order (duplicates collapse). Returns this map itself when nothing is new.
   */
  extendedWith(ids: ArrayLike<number>): IdMap {
    const fresh = new Set<number>();
    for (let row = 0; row < ids.length; row++) if (!this.lookup.has(ids[row])) fresh.add(ids[row]);
    if (fresh.size === 0) return this;
    const added = Int32Array.from(fresh);
    added.sort();
    const rawIds = new Int32Array(this.rawIds.length + added.length);
    rawIds.set(this.rawIds);
    rawIds.set(added, this.rawIds.length);
    return new IdMap(rawIds);
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
