import { DendriteError } from '@dendrite/core';
import { IdMap } from '@dendrite/datasets';

/** (user, item, value) columns: dense indices, as @dendrite/datasets' `Ratings` holds them. */
export interface InteractionColumns {
  users: Int32Array;
  items: Int32Array;
  /** Rating or interaction strength per row (default 1 for every row). */
  ratings?: Float32Array;
}

/** One direction of the matrix in compressed sparse rows: row r's entries are [offsets[r], offsets[r+1]). */
export interface CompressedRows {
  offsets: Int32Array;
  /** Column index of each entry, ascending within a row. */
  columns: Int32Array;
  values: Float32Array;
}

/**
 * The user × item interaction matrix every recommender fits: CSR both ways (users → items and
 * items → users), with the raw id ↔ dense index maps that travel with a saved model. A repeated
 * (user, item) pair keeps its last value.
 *
 * @example
 * ```ts
 * const ml = await loadMovieLens100kDirectory('/data/movielens/ml-100k');
 * const matrix = InteractionMatrix.fromRatings(ml.ratings, { userIds: ml.userIds, itemIds: ml.itemIds });
 * matrix.itemsOf(0);          // Int32Array of the item indices user 0 rated, ascending
 * matrix.has(0, 241);         // true when user 0 rated item 241
 * ```
 */
export class InteractionMatrix {
  /** Users → items. */
  readonly byUser: CompressedRows;
  private transposed: CompressedRows | null = null;

  private constructor(
    readonly userIds: IdMap,
    readonly itemIds: IdMap,
    byUser: CompressedRows,
  ) {
    this.byUser = byUser;
  }

  /** Items → users, built on first use (a model that needs only users → items, e.g. ALS's CSR solver, never pays for it). */
  get byItem(): CompressedRows {
    this.transposed ??= transpose(this.byUser, this.itemIds.size);
    return this.transposed;
  }

  /**
   * From columns of dense indices and the id maps they index (e.g. a MovieLens load or a split of it).
   * Throws a `DendriteError` naming the row of an index outside the maps or a non-finite rating.
   */
  static fromRatings(columns: InteractionColumns, ids: { userIds: IdMap; itemIds: IdMap }): InteractionMatrix {
    const { users, items } = columns;
    const ratings = columns.ratings ?? new Float32Array(users.length).fill(1);
    if (items.length !== users.length || ratings.length !== users.length) {
      throw new DendriteError(`InteractionMatrix: users, items and ratings must have the same length, got ${users.length}, ${items.length}, ${ratings.length}`);
    }
    const userCount = ids.userIds.size;
    const itemCount = ids.itemIds.size;
    for (let row = 0; row < users.length; row++) {
      if (!(users[row] >= 0 && users[row] < userCount)) throw new DendriteError(`InteractionMatrix: user index ${users[row]} at row ${row} is outside [0, ${userCount})`);
      if (!(items[row] >= 0 && items[row] < itemCount)) throw new DendriteError(`InteractionMatrix: item index ${items[row]} at row ${row} is outside the catalogue [0, ${itemCount})`);
      if (!Number.isFinite(ratings[row])) throw new DendriteError(`InteractionMatrix: rating ${ratings[row]} at row ${row} is not a finite number`);
    }
    return new InteractionMatrix(ids.userIds, ids.itemIds, compress(users, items, ratings, userCount));
  }

  /**
   * From raw ids (any integers): builds fresh id maps (ascending raw id), or uses `ids` when given,
   * refusing ids outside them.
   *
   * @example
   * ```ts
   * const matrix = InteractionMatrix.fromRawIds([10, 10, 7], [3, 5, 3]); // 2 users, 2 items, values 1
   * ```
   */
  static fromRawIds(
    rawUsers: ArrayLike<number>, rawItems: ArrayLike<number>, ratings?: Float32Array, ids?: { userIds: IdMap; itemIds: IdMap },
  ): InteractionMatrix {
    const userIds = ids?.userIds ?? IdMap.fromIds(rawUsers);
    const itemIds = ids?.itemIds ?? IdMap.fromIds(rawItems);
    return InteractionMatrix.fromRatings({
      users: indicesOf(userIds, rawUsers, 'user'), items: indicesOf(itemIds, rawItems, 'item'), ratings,
    }, { userIds, itemIds });
  }

  /** Rebuilds a matrix from its users → items CSR (what a saved model stores). */
  static fromCompressedRows(byUser: CompressedRows, ids: { userIds: IdMap; itemIds: IdMap }): InteractionMatrix {
    if (byUser.offsets.length !== ids.userIds.size + 1 || byUser.offsets[ids.userIds.size] !== byUser.columns.length) {
      throw new DendriteError(`InteractionMatrix: ${byUser.offsets.length} row offsets do not describe ${ids.userIds.size} users and ${byUser.columns.length} entries`);
    }
    for (const column of byUser.columns) {
      if (!(column >= 0 && column < ids.itemIds.size)) throw new DendriteError(`InteractionMatrix: item index ${column} is outside the catalogue [0, ${ids.itemIds.size})`);
    }
    return new InteractionMatrix(ids.userIds, ids.itemIds, byUser);
  }

  get userCount(): number {
    return this.userIds.size;
  }

  get itemCount(): number {
    return this.itemIds.size;
  }

  /** Number of stored (user, item) entries. */
  get size(): number {
    return this.byUser.columns.length;
  }

  /** Item indices of a user's entries (ascending; a view, do not modify). */
  itemsOf(user: number): Int32Array {
    return this.byUser.columns.subarray(this.byUser.offsets[user], this.byUser.offsets[user + 1]);
  }

  /** Values of a user's entries, aligned with {@link InteractionMatrix.itemsOf}. */
  valuesOf(user: number): Float32Array {
    return this.byUser.values.subarray(this.byUser.offsets[user], this.byUser.offsets[user + 1]);
  }

  /** User indices of an item's entries (ascending; a view). */
  usersOf(item: number): Int32Array {
    return this.byItem.columns.subarray(this.byItem.offsets[item], this.byItem.offsets[item + 1]);
  }

  /** Whether the user has an entry for the item (binary search). */
  has(user: number, item: number): boolean {
    let low = this.byUser.offsets[user];
    let high = this.byUser.offsets[user + 1] - 1;
    const columns = this.byUser.columns;
    while (low <= high) {
      const middle = (low + high) >> 1;
      if (columns[middle] === item) return true;
      if (columns[middle] < item) low = middle + 1;
      else high = middle - 1;
    }
    return false;
  }

  /** The entries as (user, item, value) columns, in user then item order. */
  toColumns(): { users: Int32Array; items: Int32Array; ratings: Float32Array } {
    const users = new Int32Array(this.size);
    for (let user = 0; user < this.userCount; user++) users.fill(user, this.byUser.offsets[user], this.byUser.offsets[user + 1]);
    return { users, items: this.byUser.columns.slice(), ratings: this.byUser.values.slice() };
  }

  /** Dense index of a raw user id, or -1 for an unknown user. */
  userIndex(rawId: number): number {
    return this.userIds.index(rawId);
  }

  /** Dense index of a raw item id; an id outside the catalogue is a `DendriteError`. */
  itemIndex(rawId: number, op = 'InteractionMatrix'): number {
    const index = this.itemIds.index(rawId);
    if (index < 0) throw new DendriteError(`${op}: item ${rawId} is not in the catalogue (${this.itemCount} items)`);
    return index;
  }
}

function indicesOf(ids: IdMap, raw: ArrayLike<number>, what: string): Int32Array {
  const indices = new Int32Array(raw.length);
  for (let row = 0; row < raw.length; row++) {
    const index = ids.index(raw[row]);
    if (index < 0) throw new DendriteError(`InteractionMatrix: unknown ${what} id ${raw[row]} at row ${row}`);
    indices[row] = index;
  }
  return indices;
}

/** Counting sort by row, then each row's entries by column; a repeated column keeps the last row's value. */
function compress(rows: Int32Array, columns: Int32Array, values: Float32Array, rowCount: number): CompressedRows {
  const counts = new Int32Array(rowCount + 1);
  for (const row of rows) counts[row + 1]++;
  for (let row = 0; row < rowCount; row++) counts[row + 1] += counts[row];
  const cursor = counts.slice(0, rowCount);
  const order = new Int32Array(rows.length);
  for (let position = 0; position < rows.length; position++) order[cursor[rows[position]]++] = position;
  const offsets = new Int32Array(rowCount + 1);
  const outColumns = new Int32Array(rows.length);
  const outValues = new Float32Array(rows.length);
  let written = 0;
  for (let row = 0; row < rowCount; row++) {
    // Stable by column, so among repeats the last input row comes last and wins.
    const segment = Array.from(order.subarray(counts[row], counts[row + 1])).sort((a, b) => columns[a] - columns[b] || a - b);
    for (let k = 0; k < segment.length; k++) {
      const position = segment[k];
      if (k + 1 < segment.length && columns[segment[k + 1]] === columns[position]) continue;
      outColumns[written] = columns[position];
      outValues[written] = values[position];
      written++;
    }
    offsets[row + 1] = written;
  }
  return { offsets, columns: outColumns.slice(0, written), values: outValues.slice(0, written) };
}

function transpose(rows: CompressedRows, columnCount: number): CompressedRows {
  const rowCount = rows.offsets.length - 1;
  const offsets = new Int32Array(columnCount + 1);
  for (const column of rows.columns) offsets[column + 1]++;
  for (let column = 0; column < columnCount; column++) offsets[column + 1] += offsets[column];
  const cursor = offsets.slice(0, columnCount);
  const columns = new Int32Array(rows.columns.length);
  const values = new Float32Array(rows.columns.length);
  for (let row = 0; row < rowCount; row++) {
    for (let position = rows.offsets[row]; position < rows.offsets[row + 1]; position++) {
      const target = cursor[rows.columns[position]]++;
      columns[target] = row;
      values[target] = rows.values[position];
    }
  }
  return { offsets, columns, values };
}
