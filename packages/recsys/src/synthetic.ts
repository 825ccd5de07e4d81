import { DendriteError } from '@dendrite/core';
import { IdMap, SeededRandom } from '@dendrite/datasets';
import { InteractionMatrix } from './interactions.js';

/** Options of {@link generatePowerLawInteractions}. */
export interface PowerLawOptions {
  users: number;
  items: number;
  /** Wanted number of distinct (user, item) entries (met to within the rounding of the smallest users to one each). */
  interactions: number;
  /** Zipf exponent of user activity: user u's share ∝ (u + 1)^−s (default 0.5). */
  userExponent?: number;
  /** Zipf exponent of item popularity: item i is drawn ∝ (i + 1)^−s (default 0.8). */
  itemExponent?: number;
  seed?: number;
}

/**
 * A seeded synthetic implicit-feedback set with the long tails of real ones (a few very active users,
 * a few very popular items): user degrees follow a Zipf law (every user at least one interaction, at
 * most a quarter of the catalogue), each user's distinct items are drawn from a Zipf popularity law.
 * Built straight into the users → items CSR (values 1), so the interactions exist once in memory;
 * raw ids are 0…users−1 and 0…items−1. For scale measurements (ML-20M is 138,493 × 26,744, 20M).
 *
 * @example
 * ```ts
 * const matrix = generatePowerLawInteractions({ users: 6040, items: 3706, interactions: 1_000_000, seed: 1 });
 * await new ImplicitAls({ factors: 64 }).fit(matrix, { epochs: 1 });
 * ```
 */
export function generatePowerLawInteractions(options: PowerLawOptions): InteractionMatrix {
  const { users, items, interactions } = options;
  for (const [field, value] of [['users', users], ['items', items], ['interactions', interactions]] as const) {
    if (!Number.isInteger(value) || value < 1) throw new DendriteError(`generatePowerLawInteractions: ${field} must be a positive integer, got ${value}`);
  }
  const cap = Math.max(1, Math.floor(items / 4));
  if (interactions < users || interactions > users * cap) {
    throw new DendriteError(`generatePowerLawInteractions: interactions must lie in [users, users × items/4] = [${users}, ${users * cap}], got ${interactions}`);
  }
  const random = new SeededRandom(options.seed ?? 1);
  const degrees = userDegrees(users, interactions, cap, options.userExponent ?? 0.5);
  const cumulative = new Float64Array(items);
  let total = 0;
  for (let item = 0; item < items; item++) cumulative[item] = total += (item + 1) ** -(options.itemExponent ?? 0.8);
  // A random relabelling of items, so popularity does not follow the id order.
  const relabel = random.permutation(items);
  const offsets = new Int32Array(users + 1);
  for (let user = 0; user < users; user++) offsets[user + 1] = offsets[user] + degrees[user];
  const columns = new Int32Array(offsets[users]);
  const stamp = new Int32Array(items).fill(-1);
  for (let user = 0; user < users; user++) {
    const row = columns.subarray(offsets[user], offsets[user + 1]);
    for (let filled = 0; filled < row.length;) {
      const item = relabel[lowerBound(cumulative, random.nextFloat() * total)];
      if (stamp[item] === user) continue; // already drawn for this user: draw again (distinct entries)
      stamp[item] = user;
      row[filled++] = item;
    }
    row.sort();
  }
  const identity = (count: number) => IdMap.fromIds(Int32Array.from({ length: count }, (_, index) => index));
  return InteractionMatrix.fromCompressedRows({ offsets, columns, values: new Float32Array(columns.length).fill(1) }, { userIds: identity(users), itemIds: identity(items) });
}

/** Zipf shares of `interactions`, each user in [1, cap], the rounding remainder handed out one by one. */
function userDegrees(users: number, interactions: number, cap: number, exponent: number): Int32Array {
  const weights = Float64Array.from({ length: users }, (_, user) => (user + 1) ** -exponent);
  const weightSum = weights.reduce((sum, weight) => sum + weight, 0);
  const degrees = Int32Array.from(weights, (weight) => Math.min(cap, Math.max(1, Math.floor((interactions * weight) / weightSum))));
  let assigned = degrees.reduce((sum, degree) => sum + degree, 0);
  for (let pass = 0; assigned < interactions && pass < cap; pass++) {
    for (let user = 0; user < users && assigned < interactions; user++) {
      if (degrees[user] < cap) {
        degrees[user]++;
        assigned++;
      }
    }
  }
  return degrees;
}

/** First index whose cumulative weight exceeds `target`. */
function lowerBound(cumulative: Float64Array, target: number): number {
  let low = 0;
  let high = cumulative.length - 1;
  while (low < high) {
    const middle = (low + high) >> 1;
    if (cumulative[middle] > target) high = middle;
    else low = middle + 1;
  }
  return low;
}
