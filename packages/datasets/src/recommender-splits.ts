import { DatasetError } from './errors.js';
import { SeededRandom } from './random.js';
import { ratingCount, selectRatings, type Ratings } from './ratings.js';
import { splitIndices } from './split.js';

/**
 * Seeded random split of rating rows into train / validation / test.
 *
 * @example
 * ```ts
 * const { train, test } = randomRatingSplit(data.ratings, { test: 0.2, seed: 1 });
 * ```
 */
export function randomRatingSplit(
  ratings: Ratings,
  options: { test: number; validation?: number; seed: number },
): { train: Ratings; validation: Ratings; test: Ratings } {
  const parts = splitIndices(ratingCount(ratings), options);
  // Keep each part in the original row order: only membership is random.
  return {
    train: selectRatings(ratings, parts.train.sort()),
    validation: selectRatings(ratings, parts.validation.sort()),
    test: selectRatings(ratings, parts.test.sort()),
  };
}

/**
 * Per-user temporal leave-one-out: each user's latest rating goes to test (and, with `validation: true`,
 * the one before it to validation); everything earlier is train. Ties in time go by row order (later row
 * is later). Every user keeps at least one rating in train: a user with one rating gives none away, a
 * user with two gives only the test one.
 *
 * @example
 * ```ts
 * const { train, test } = leaveOneOutSplit(data.ratings); // test has one row per user
 * ```
 */
export function leaveOneOutSplit(
  ratings: Ratings,
  options: { validation?: boolean } = {},
): { train: Ratings; validation: Ratings; test: Ratings } {
  const count = ratingCount(ratings);
  const { offsets, values: rows } = groupByUser([ratings], (_, row) => row);
  // Order each user's rows by time; the last one (and, with validation, the one before) is held out.
  const byTime = (left: number, right: number) => ratings.timestamps[left] - ratings.timestamps[right] || left - right;
  const role = new Uint8Array(count); // 0 train, 1 validation, 2 test
  for (let user = 0; user + 1 < offsets.length; user++) {
    const start = offsets[user];
    const end = offsets[user + 1];
    // Every user keeps at least one rating in train.
    if (end - start < 2) continue;
    const userRows = rows.subarray(start, end).sort(byTime);
    role[userRows[userRows.length - 1]] = 2;
    if (options.validation && end - start >= 3) role[userRows[userRows.length - 2]] = 1;
  }
  const pick = (wanted: number) => {
    const selected: number[] = [];
    for (let row = 0; row < count; row++) if (role[row] === wanted) selected.push(row);
    return selectRatings(ratings, selected);
  };
  return { train: pick(0), validation: pick(1), test: pick(2) };
}

/**
 * Groups the rows of one or more tables by user (CSR layout): user u's entries are
 * `values[offsets[u] .. offsets[u+1])`, in table then row order, each the number `valueOf(table, row)` gives.
 */
function groupByUser<T extends { users: Int32Array }>(
  tables: readonly T[],
  valueOf: (table: T, row: number) => number,
): { offsets: Int32Array; values: Int32Array } {
  let userCount = 0;
  let total = 0;
  for (const table of tables) {
    total += table.users.length;
    for (let row = 0; row < table.users.length; row++) {
      const user = table.users[row];
      if (user < 0) throw new DatasetError(`user index ${user} at row ${row} is negative; users must be dense indices`);
      if (user + 1 > userCount) userCount = user + 1;
    }
  }
  const offsets = new Int32Array(userCount + 1);
  for (const table of tables) for (let row = 0; row < table.users.length; row++) offsets[table.users[row] + 1]++;
  for (let user = 0; user < userCount; user++) offsets[user + 1] += offsets[user];
  const fill = offsets.slice(0, userCount);
  const values = new Int32Array(total);
  for (const table of tables) for (let row = 0; row < table.users.length; row++) values[fill[table.users[row]]++] = valueOf(table, row);
  return { offsets, values };
}

/** Each user's interacted items as a sorted list, for fast "has user u seen item i" checks. */
export class InteractionIndex {
  private constructor(
    private readonly offsets: Int32Array,
    private readonly items: Int32Array,
  ) {}

  /** Indexes the (user, item) pairs of one or more tables. */
  static build(...tables: Array<{ users: Int32Array; items: Int32Array }>): InteractionIndex {
    const { offsets, values: items } = groupByUser(tables, (table, row) => table.items[row]);
    for (let user = 0; user + 1 < offsets.length; user++) items.subarray(offsets[user], offsets[user + 1]).sort();
    return new InteractionIndex(offsets, items);
  }

  /** True when the user interacted with the item. */
  has(user: number, item: number): boolean {
    if (user < 0 || user + 1 >= this.offsets.length) return false;
    let low = this.offsets[user];
    let high = this.offsets[user + 1] - 1;
    while (low <= high) {
      const middle = (low + high) >> 1;
      const value = this.items[middle];
      if (value === item) return true;
      if (value < item) low = middle + 1;
      else high = middle - 1;
    }
    return false;
  }

  /** Number of distinct items the user interacted with. */
  distinctItemCount(user: number): number {
    if (user < 0 || user + 1 >= this.offsets.length) return 0;
    let distinct = 0;
    for (let position = this.offsets[user]; position < this.offsets[user + 1]; position++) {
      if (position === this.offsets[user] || this.items[position] !== this.items[position - 1]) distinct++;
    }
    return distinct;
  }
}

/** Options of {@link sampleNegatives}. */
export interface NegativeSamplingOptions {
  /** Number of items; negatives are drawn from `0..itemCount-1`. */
  itemCount: number;
  /** Negatives per positive. */
  count: number;
  seed: number;
  /** Interactions that may not be drawn as negatives (default: the positives themselves). Pass train + test to keep test items out too. */
  exclude?: InteractionIndex;
}

/**
 * Draws `count` negative items per positive (user, item) row, uniformly among the items that user never
 * interacted with (seeded; a negative may repeat across draws). Row i's negatives are
 * `result[i*count .. (i+1)*count)`.
 *
 * @example
 * ```ts
 * const negatives = sampleNegatives(train, { itemCount: data.itemIds.size, count: 4, seed: 3 });
 * ```
 */
export function sampleNegatives(positives: { users: Int32Array; items: Int32Array }, options: NegativeSamplingOptions): Int32Array {
  const { itemCount, count } = options;
  if (!Number.isInteger(itemCount) || itemCount < 1) throw new DatasetError(`sampleNegatives: itemCount must be a positive integer, got ${itemCount}`);
  if (!Number.isInteger(count) || count < 0) throw new DatasetError(`sampleNegatives: count must be a non-negative integer, got ${count}`);
  const exclude = options.exclude ?? InteractionIndex.build(positives);
  const random = new SeededRandom(options.seed);
  const negatives = new Int32Array(positives.users.length * count);
  const checkedUsers = new Set<number>();
  for (let row = 0; row < positives.users.length; row++) {
    const user = positives.users[row];
    if (!checkedUsers.has(user)) {
      checkedUsers.add(user);
      if (exclude.distinctItemCount(user) >= itemCount) {
        throw new DatasetError(`sampleNegatives: user ${user} interacted with all ${itemCount} items, so no negative exists`);
      }
    }
    for (let draw = 0; draw < count; draw++) {
      let item = random.nextInt(itemCount);
      while (exclude.has(user, item)) item = random.nextInt(itemCount);
      negatives[row * count + draw] = item;
    }
  }
  return negatives;
}

/**
 * Training rows for implicit feedback: every positive (label 1) followed by its `count` sampled negatives
 * (label 0).
 *
 * @example
 * ```ts
 * const { users, items, labels } = withNegatives(train, { itemCount: 1682, count: 4, seed: 1 });
 * ```
 */
export function withNegatives(
  positives: { users: Int32Array; items: Int32Array },
  options: NegativeSamplingOptions,
): { users: Int32Array; items: Int32Array; labels: Float32Array } {
  const negatives = sampleNegatives(positives, options);
  const perPositive = options.count + 1;
  const total = positives.users.length * perPositive;
  const users = new Int32Array(total);
  const items = new Int32Array(total);
  const labels = new Float32Array(total);
  for (let row = 0; row < positives.users.length; row++) {
    const base = row * perPositive;
    users.fill(positives.users[row], base, base + perPositive);
    items[base] = positives.items[row];
    labels[base] = 1;
    items.set(negatives.subarray(row * options.count, (row + 1) * options.count), base + 1);
  }
  return { users, items, labels };
}
