import { DendriteError } from '@dendrite/core';
import { InteractionMatrix, type CompressedRows } from './interactions.js';
import { solveSymmetric } from './models/solve.js';

/** New interactions for {@link Recommender.update}, in raw ids (values: ratings or strengths, default 1). */
export interface NewInteractions {
  users: ArrayLike<number>;
  items: ArrayLike<number>;
  values?: ArrayLike<number>;
}

/** Options of {@link Recommender.update}. */
export interface UpdateOptions {
  /** Passes over the new interactions (ALS: alternating re-solves, default 2; BPR: SGD epochs, default 20). */
  epochs?: number;
  seed?: number;
}

/** What {@link Recommender.update} changed. */
export interface UpdateSummary {
  /** New (user, item) entries merged in (a repeated pair replaces the old value and counts here too). */
  interactions: number;
  newUsers: number;
  newItems: number;
  /** Users and items with a new interaction (new ones included), by dense index of the grown maps. */
  touchedUsers: Int32Array;
  touchedItems: Int32Array;
}

/**
 * The training interactions grown by new ones: the merged matrix (id maps grown by appending the new raw
 * ids after the known ones, so every known id keeps its dense index), where each new dense index came from
 * (`userSource[newIndex]` = the old index, or -1 for an id the model had not seen) and the touched rows.
 */
export interface InteractionExtension extends UpdateSummary {
  matrix: InteractionMatrix;
  userSource: Int32Array;
  itemSource: Int32Array;
  /** The new interactions as dense indices of the grown maps (values 1 where none were given). */
  added: { users: Int32Array; items: Int32Array; values: Float32Array };
  /** Whether the caller gave values (rating models need them). */
  valuesGiven: boolean;
}

/**
 * Merges new interactions (raw ids; unknown users and items get rows) into a trained model's matrix.
 * A NaN or non-integer id, a non-finite value or mismatched lengths is a `DendriteError` naming the position.
 *
 * @example
 * ```ts
 * const grown = extendInteractions(model.interactions, { users: [9999, 9999], items: [50, 172] });
 * grown.newUsers; // 1
 * ```
 */
export function extendInteractions(data: InteractionMatrix, added: NewInteractions): InteractionExtension {
  const arrayLike = (value: unknown) => value !== null && typeof value === 'object' && Number.isInteger((value as ArrayLike<unknown>).length);
  if (added === null || typeof added !== 'object' || !arrayLike(added.users) || !arrayLike(added.items) || (added.values !== undefined && !arrayLike(added.values))) {
    throw new DendriteError('update: expected { users, items, values? } as arrays (or typed arrays) of numbers');
  }
  const count = added.users.length;
  if (added.items.length !== count || (added.values && added.values.length !== count)) {
    throw new DendriteError(`update: users, items and values must have the same length, got ${count}, ${added.items.length}${added.values ? `, ${added.values.length}` : ''}`);
  }
  if (count === 0) throw new DendriteError('update: no new interactions given');
  for (let row = 0; row < count; row++) {
    // Ids are stored as int32: a larger integer would wrap to another id's row.
    if (!isInt32(added.users[row])) throw new DendriteError(`update: user id ${added.users[row]} at position ${row} is not an integer in the int32 range`);
    if (!isInt32(added.items[row])) throw new DendriteError(`update: item id ${added.items[row]} at position ${row} is not an integer in the int32 range`);
    if (added.values && !Number.isFinite(added.values[row])) throw new DendriteError(`update: value ${added.values[row]} at position ${row} is not a finite number`);
  }
  // New ids are appended after the known ones (ascending among themselves): no known id's index shifts.
  const userIds = data.userIds.extendedWith(added.users);
  const itemIds = data.itemIds.extendedWith(added.items);
  const userSource = Int32Array.from(userIds.rawIds, (raw) => data.userIds.index(raw));
  const itemSource = Int32Array.from(itemIds.rawIds, (raw) => data.itemIds.index(raw));
  const old = data.toColumns();
  const users = new Int32Array(old.users.length + count);
  const items = new Int32Array(old.users.length + count);
  const values = new Float32Array(old.users.length + count);
  // Old entries re-indexed into the grown maps, then the new ones (a repeated pair keeps the new value).
  for (let row = 0; row < old.users.length; row++) {
    users[row] = userIds.index(data.userIds.rawId(old.users[row]));
    items[row] = itemIds.index(data.itemIds.rawId(old.items[row]));
    values[row] = old.ratings[row];
  }
  const addedUsers = userIds.indicesOf(added.users, 'update');
  const addedItems = itemIds.indicesOf(added.items, 'update');
  const addedValues = Float32Array.from({ length: count }, (_, row) => (added.values ? added.values[row] : 1));
  users.set(addedUsers, old.users.length);
  items.set(addedItems, old.users.length);
  values.set(addedValues, old.users.length);
  const matrix = InteractionMatrix.fromRatings({ users, items, ratings: values }, { userIds, itemIds });
  return {
    matrix, userSource, itemSource, added: { users: addedUsers, items: addedItems, values: addedValues }, valuesGiven: added.values !== undefined,
    interactions: count,
    newUsers: userIds.size - data.userCount, newItems: itemIds.size - data.itemCount,
    touchedUsers: Int32Array.from(new Set(addedUsers)).sort(), touchedItems: Int32Array.from(new Set(addedItems)).sort(),
  };
}

function isInt32(id: unknown): boolean {
  return Number.isInteger(id) && (id as number) >= -0x80000000 && (id as number) <= 0x7fffffff;
}

/**
 * Rows of a row-major [oldRows, width] table moved to the grown index order: row r is old row
 * `source[r]`, or `fresh(r)` (width values) where `source[r]` is -1.
 */
export function growRows(values: Float32Array, width: number, source: Int32Array, fresh: (row: number) => ArrayLike<number>): Float32Array<ArrayBuffer> {
  const grown = new Float32Array(source.length * width);
  source.forEach((from, row) => {
    if (from >= 0) grown.set(values.subarray(from * width, (from + 1) * width), row * width);
    else grown.set(fresh(row), row * width);
  });
  return grown;
}

/**
 * Weighted ALS re-solve of some rows (Hu, Koren & Volinsky): for each row r in `rows`, with the other
 * side's factors Y fixed, solve (YᵀY + Σ (cᵢ − 1) yᵢyᵢᵀ + λI) x = Σ cᵢ yᵢ over r's entries in `csr`
 * (c = 1 + α·max(value, 0)) exactly (Cholesky), writing x into `target`. YᵀY is formed once.
 */
export function solveRows(
  rows: Int32Array, csr: CompressedRows, other: Float32Array, target: Float32Array, width: number, weights: { alpha: number; regularization: number },
): void {
  const gram = new Float64Array(width * width);
  const otherCount = other.length / width;
  for (let row = 0; row < otherCount; row++) {
    const base = row * width;
    for (let a = 0; a < width; a++) for (let b = 0; b <= a; b++) gram[a * width + b] += other[base + a] * other[base + b];
  }
  for (const row of rows) {
    const matrix = gram.slice();
    const right = new Float64Array(width);
    for (let entry = csr.offsets[row]; entry < csr.offsets[row + 1]; entry++) {
      const confidence = 1 + weights.alpha * Math.max(csr.values[entry], 0);
      const base = csr.columns[entry] * width;
      for (let a = 0; a < width; a++) {
        right[a] += confidence * other[base + a];
        for (let b = 0; b <= a; b++) matrix[a * width + b] += (confidence - 1) * other[base + a] * other[base + b];
      }
    }
    for (let a = 0; a < width; a++) {
      matrix[a * width + a] += weights.regularization;
      for (let b = 0; b < a; b++) matrix[b * width + a] = matrix[a * width + b];
    }
    target.set(solveSymmetric(matrix, right, width), row * width);
  }
}
