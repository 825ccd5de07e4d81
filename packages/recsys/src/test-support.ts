// Test-only helpers (not exported): the shared MovieLens data and a small synthetic matrix.
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ready } from '@dendrite/core';
import { IdMap, SeededRandom, type MovieLensData } from '@dendrite/datasets';
import { loadMovieLens100kDirectory } from '@dendrite/datasets/node';
import { InteractionMatrix } from './interactions.js';
import { buildNcfSplit, type NcfSplit } from './ncf-files.js';

const packageDirectory = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** `$DENDRITE_DATA/movielens/ml-100k`, else `<repo>/../shared/data/movielens/ml-100k`. */
export function movieLens100kDirectory(): string {
  const root = process.env.DENDRITE_DATA ?? resolve(packageDirectory, '../../../shared/data');
  const directory = join(root, 'movielens', 'ml-100k');
  if (!existsSync(join(directory, 'u.data'))) throw new Error(`MovieLens 100K not found at ${directory}: set DENDRITE_DATA to the shared data folder`);
  return directory;
}

let cached: Promise<{ data: MovieLensData; split: NcfSplit; train: InteractionMatrix }> | null = null;

/** ML-100K with the NCF leave-one-out split (seed 1) and its training matrix, loaded once per file. */
export function movieLens100kLeaveOneOut(): Promise<{ data: MovieLensData; split: NcfSplit; train: InteractionMatrix }> {
  cached ??= (async () => {
    // The WebAssembly kernels, as a user's program would load them.
    await ready();
    const data = await loadMovieLens100kDirectory(movieLens100kDirectory());
    const split = buildNcfSplit(data.ratings, { itemCount: data.itemIds.size, seed: 1 });
    const train = InteractionMatrix.fromRatings({ users: split.train.users, items: split.train.items }, { userIds: data.userIds, itemIds: data.itemIds });
    return { data, split, train };
  })();
  return cached;
}

/**
 * Two taste groups over 12 items with raw ids 100…111: users 1–6 like items 100–105, users 7–12 like
 * 106–111; each user has seen all but one or two of their group's items. A model that learns anything
 * recommends the unseen items of the user's own group first.
 */
export function twoGroups(): InteractionMatrix {
  const users: number[] = [], items: number[] = [];
  for (let user = 1; user <= 12; user++) {
    const first = user <= 6 ? 100 : 106;
    for (let offset = 0; offset < 6; offset++) {
      // Leave out item (user mod 6) of the group (and the next one for even users).
      if (offset === user % 6 || (user % 2 === 0 && offset === (user + 1) % 6)) continue;
      users.push(user);
      items.push(first + offset);
    }
  }
  return InteractionMatrix.fromRawIds(users, items);
}

export { IdMap };

/** One group of test users for {@link timeSplitForUpdate}: raw user, held-out raw item, 99 raw negatives each. */
export interface HeldOut {
  users: Int32Array;
  items: Int32Array;
  negatives: Int32Array;
}

/**
 * A time split of ratings for testing `update` (ids are ML dense indices, used as raw ids): `train` is
 * every rating before the `cut` quantile of timestamps less each user's latest one (`oldUsers` holds
 * those out); `update` is every later rating less the latest one of users with two or more (`newUsers`:
 * users absent before the cut; `touchedUsers`: users present before). A held-out item is always in the
 * catalogue the model has at that point. Negatives: 99 items the user never rated, from the training
 * catalogue for `oldUsers` (so they score before and after the update), from the final one otherwise.
 */
export function timeSplitForUpdate(ratings: { users: Int32Array; items: Int32Array; timestamps: Float64Array }, options: { cut: number; seed: number }): {
  train: { users: Int32Array; items: Int32Array }; update: { users: Int32Array; items: Int32Array };
  oldUsers: HeldOut; newUsers: HeldOut; touchedUsers: HeldOut;
} {
  const count = ratings.users.length;
  // Stable order by time (row order breaks ties).
  const order = Array.from({ length: count }, (_, row) => row).sort((a, b) => ratings.timestamps[a] - ratings.timestamps[b] || a - b);
  const cutAt = Math.floor(count * options.cut);
  const before = order.slice(0, cutAt), after = order.slice(cutAt);
  const latest = (rows: number[]) => {
    const last = new Map<number, number>(), seen = new Map<number, number>();
    for (const row of rows) {
      last.set(ratings.users[row], row);
      seen.set(ratings.users[row], (seen.get(ratings.users[row]) ?? 0) + 1);
    }
    return new Set([...last].filter(([user]) => seen.get(user)! >= 2).map(([, row]) => row));
  };
  const beforeHeld = latest(before);
  const trainRows = before.filter((row) => !beforeHeld.has(row));
  const trainUsers = new Set(trainRows.map((row) => ratings.users[row]));
  const trainItems = new Set(trainRows.map((row) => ratings.items[row]));
  const afterCandidates = latest(after);
  const afterRest = after.filter((row) => !afterCandidates.has(row));
  const finalItems = new Set([...trainItems, ...afterRest.map((row) => ratings.items[row])]);
  const afterHeld = [...afterCandidates].filter((row) => finalItems.has(ratings.items[row]));
  const afterHeldSet = new Set(afterHeld);
  const updateRows = after.filter((row) => !afterHeldSet.has(row));
  const rated = new Map<number, Set<number>>();
  for (let row = 0; row < count; row++) {
    if (!rated.has(ratings.users[row])) rated.set(ratings.users[row], new Set());
    rated.get(ratings.users[row])!.add(ratings.items[row]);
  }
  const random = new SeededRandom(options.seed);
  const heldOut = (rows: number[], items: Set<number>): HeldOut => {
    const catalogue = Int32Array.from(items).sort();
    const users = Int32Array.from(rows, (row) => ratings.users[row]);
    const negatives = new Int32Array(rows.length * 99);
    rows.forEach((row, position) => {
      const chosen = new Set<number>();
      while (chosen.size < 99) {
        const item = catalogue[random.nextInt(catalogue.length)];
        if (!rated.get(ratings.users[row])!.has(item)) chosen.add(item);
      }
      negatives.set(Array.from(chosen), position * 99);
    });
    return { users, items: Int32Array.from(rows, (row) => ratings.items[row]), negatives };
  };
  const columns = (rows: number[]) => ({ users: Int32Array.from(rows, (row) => ratings.users[row]), items: Int32Array.from(rows, (row) => ratings.items[row]) });
  return {
    train: columns(trainRows), update: columns(updateRows),
    oldUsers: heldOut([...beforeHeld].filter((row) => trainItems.has(ratings.items[row])), trainItems),
    newUsers: heldOut(afterHeld.filter((row) => !trainUsers.has(ratings.users[row])), finalItems),
    touchedUsers: heldOut(afterHeld.filter((row) => trainUsers.has(ratings.users[row])), finalItems),
  };
}
