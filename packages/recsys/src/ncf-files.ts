import { DendriteError } from '@dendrite/core';
import { InteractionIndex, SeededRandom, leaveOneOutSplit, type Ratings } from '@dendrite/datasets';

/**
 * A leave-one-out split in the NCF paper's published format (He et al. 2017): 0-based user and item
 * ids, a training table, one held-out (user, item) per user, and its sampled negatives.
 */
export interface NcfSplit {
  train: Ratings;
  /** One held-out row per user, with its rating and time. */
  test: Ratings;
  /** `negativesPerUser` items per test row, row-major. */
  negatives: Int32Array;
  negativesPerUser: number;
  userCount: number;
  itemCount: number;
}

/**
 * Builds the NCF protocol's split from ratings with dense ids: each user's latest rating held out,
 * `negatives` (default 99) **distinct** items the user never rated (in training or test) drawn for it,
 * seeded — sampled without replacement, as the paper's published `.test.negative` files are.
 *
 * @example
 * ```ts
 * const split = buildNcfSplit(ml.ratings, { itemCount: ml.itemIds.size, seed: 1 });
 * ```
 */
export function buildNcfSplit(ratings: Ratings, options: { itemCount: number; negatives?: number; seed?: number }): NcfSplit {
  const { train, test } = leaveOneOutSplit(ratings);
  const count = options.negatives ?? 99;
  const negatives = sampleDistinctNegatives(test, {
    itemCount: options.itemCount, count, seed: options.seed ?? 1, exclude: InteractionIndex.build(train, test),
  });
  let userCount = 0;
  for (const user of ratings.users) userCount = Math.max(userCount, user + 1);
  return { train, test, negatives, negativesPerUser: count, userCount, itemCount: options.itemCount };
}

/**
 * `count` distinct negatives per (user, item) row, drawn uniformly without replacement among the items
 * the user never interacted with in `exclude` (seeded). Row i's negatives are `result[i*count .. (i+1)*count)`.
 * A user with fewer than `count` unrated items is a `DendriteError` (a row cannot be filled).
 *
 * @example
 * ```ts
 * const negatives = sampleDistinctNegatives(test, { itemCount: 1682, count: 99, seed: 1, exclude: InteractionIndex.build(train, test) });
 * ```
 */
export function sampleDistinctNegatives(
  rows: { users: Int32Array; items: Int32Array },
  options: { itemCount: number; count: number; seed: number; exclude: InteractionIndex },
): Int32Array {
  const { itemCount, count, exclude } = options;
  if (!Number.isInteger(itemCount) || itemCount < 1) throw new DendriteError(`sampleDistinctNegatives: itemCount must be a positive integer, got ${itemCount}`);
  if (!Number.isInteger(count) || count < 0) throw new DendriteError(`sampleDistinctNegatives: count must be a non-negative integer, got ${count}`);
  const random = new SeededRandom(options.seed);
  const negatives = new Int32Array(rows.users.length * count);
  const chosen = new Set<number>();
  for (let row = 0; row < rows.users.length; row++) {
    const user = rows.users[row];
    const unrated = itemCount - exclude.distinctItemCount(user);
    if (unrated < count) throw new DendriteError(`sampleDistinctNegatives: user ${user} has ${unrated} unrated items, fewer than the ${count} distinct negatives asked for`);
    chosen.clear();
    if (count * 2 > unrated) {
      // Dense case: a partial Fisher–Yates shuffle of the unrated items (rejection would loop long).
      const pool: number[] = [];
      for (let item = 0; item < itemCount; item++) if (!exclude.has(user, item)) pool.push(item);
      for (let draw = 0; draw < count; draw++) {
        const pick = draw + random.nextInt(pool.length - draw);
        [pool[draw], pool[pick]] = [pool[pick], pool[draw]];
        negatives[row * count + draw] = pool[draw];
      }
      continue;
    }
    for (let draw = 0; draw < count; draw++) {
      let item = random.nextInt(itemCount);
      while (exclude.has(user, item) || chosen.has(item)) item = random.nextInt(itemCount);
      chosen.add(item);
      negatives[row * count + draw] = item;
    }
  }
  return negatives;
}

/**
 * The three files' text: `.train.rating`, `.test.rating` (user\titem\trating\ttimestamp) and `.test.negative`
 * ("(user,item)" then the negatives, tab-separated). The test file holds `ratings.test` (default: the split's own held-out rows).
 */
export function formatNcfFiles(split: NcfSplit, ratings: { test: Ratings } = { test: split.test }): { train: string; test: string; negatives: string } {
  const lines = (table: Ratings) => Array.from(table.users, (user, row) =>
    `${user}\t${table.items[row]}\t${table.ratings[row]}\t${table.timestamps[row]}`).join('\n') + '\n';
  const negatives = Array.from(split.test.users, (user, row) =>
    [`(${user},${split.test.items[row]})`, ...split.negatives.subarray(row * split.negativesPerUser, (row + 1) * split.negativesPerUser)].join('\t')).join('\n') + '\n';
  return { train: lines(split.train), test: lines(ratings.test), negatives };
}

/** Parses `.train.rating` / `.test.rating` text: one `user\titem\trating\ttimestamp` line per row. */
export function parseNcfRatings(text: string, file: string): Ratings {
  const users: number[] = [], items: number[] = [], ratings: number[] = [], timestamps: number[] = [];
  text.split('\n').forEach((line, lineIndex) => {
    if (line.trim() === '') return;
    const fields = line.split('\t');
    const numbers = fields.map(Number);
    if (fields.length < 3 || numbers.slice(0, 2).some((value) => !Number.isInteger(value) || value < 0) || !Number.isFinite(numbers[2])) {
      throw new DendriteError(`${file}:${lineIndex + 1}: expected "user<TAB>item<TAB>rating<TAB>timestamp" with 0-based integer ids, got ${JSON.stringify(line.slice(0, 80))}`);
    }
    users.push(numbers[0]);
    items.push(numbers[1]);
    ratings.push(numbers[2]);
    timestamps.push(Number.isFinite(numbers[3]) ? numbers[3] : 0);
  });
  return { users: Int32Array.from(users), items: Int32Array.from(items), ratings: Float32Array.from(ratings), timestamps: Float64Array.from(timestamps) };
}

/** Parses `.test.negative` text: "(user,item)" then the negatives, tab-separated; every line the same count. */
export function parseNcfNegatives(text: string, file: string): { users: Int32Array; items: Int32Array; negatives: Int32Array; perUser: number } {
  const users: number[] = [], items: number[] = [], negatives: number[] = [];
  let perUser = -1;
  text.split('\n').forEach((line, lineIndex) => {
    if (line.trim() === '') return;
    const fields = line.trim().split('\t');
    const pair = /^\((\d+),(\d+)\)$/.exec(fields[0]);
    const rest = fields.slice(1).map(Number);
    if (!pair || rest.some((value) => !Number.isInteger(value) || value < 0)) {
      throw new DendriteError(`${file}:${lineIndex + 1}: expected "(user,item)" then tab-separated 0-based item ids, got ${JSON.stringify(line.slice(0, 80))}`);
    }
    if (perUser >= 0 && rest.length !== perUser) throw new DendriteError(`${file}:${lineIndex + 1}: ${rest.length} negatives, but earlier lines have ${perUser}`);
    perUser = rest.length;
    users.push(Number(pair[1]));
    items.push(Number(pair[2]));
    negatives.push(...rest);
  });
  return { users: Int32Array.from(users), items: Int32Array.from(items), negatives: Int32Array.from(negatives), perUser: Math.max(perUser, 0) };
}
