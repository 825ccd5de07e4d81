// Test-only helpers (not exported): the shared MovieLens data and a small synthetic matrix.
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ready } from '@dendrite/core';
import { IdMap, type MovieLensData } from '@dendrite/datasets';
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
