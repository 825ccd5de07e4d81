import { DendriteError } from '@dendrite/core';
import { InteractionIndex, leaveOneOutSplit, sampleNegatives, type Ratings } from '@dendrite/datasets';

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
 * `negatives` (default 99) items the user never rated drawn for it (seeded).
 *
 * @example
 * ```ts
 * const split = buildNcfSplit(ml.ratings, { itemCount: ml.itemIds.size, seed: 1 });
 * ```
 */
export function buildNcfSplit(ratings: Ratings, options: { itemCount: number; negatives?: number; seed?: number }): NcfSplit {
  const { train, test } = leaveOneOutSplit(ratings);
  const count = options.negatives ?? 99;
  const negatives = sampleNegatives(test, {
    itemCount: options.itemCount, count, seed: options.seed ?? 1, exclude: InteractionIndex.build(train, test),
  });
  let userCount = 0;
  for (const user of ratings.users) userCount = Math.max(userCount, user + 1);
  return { train, test, negatives, negativesPerUser: count, userCount, itemCount: options.itemCount };
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
