import { DendriteError } from '@dendrite/core';
import type { Recommender } from '../recommender.js';

/** Ranking quality at a cut-off K, averaged over test users. */
export interface RankingMetrics {
  /** Hit ratio@K: share of test items ranked in the top K. */
  hr: number;
  /** NDCG@K: 1/log2(rank + 2) for a hit at 0-based rank, else 0. */
  ndcg: number;
  /** Precision@K: hits / K, per user. */
  precision: number;
  /** Recall@K: hits / the user's test items. */
  recall: number;
  /** MAP@K: mean average precision over each user's top K. */
  map: number;
  /** AUC: share of (test item, other candidate) pairs ranked the right way. */
  auc: number;
  users: number;
  k: number;
}

/**
 * The NCF protocol (He et al. 2017): each test user has one held-out item and `negatives.length /
 * users.length` sampled items they never interacted with; the held-out item's rank among them gives
 * HR@K and NDCG@K. Ties count against the model (a tied negative ranks above). All ids are dense
 * indices of the model's id maps.
 *
 * @example
 * ```ts
 * const { hr, ndcg } = await evaluateSampledRanking(model, test.users, test.items, negatives, { k: 10 });
 * ```
 */
export async function evaluateSampledRanking(
  model: Recommender, users: Int32Array, items: Int32Array, negatives: Int32Array, options: { k?: number } = {},
): Promise<RankingMetrics> {
  const k = options.k ?? 10;
  if (users.length === 0 || negatives.length % users.length !== 0) {
    throw new DendriteError(`evaluateSampledRanking: ${negatives.length} negatives do not split evenly over ${users.length} test users`);
  }
  const perUser = negatives.length / users.length;
  const candidates = perUser + 1;
  const pairUsers = new Int32Array(users.length * candidates);
  const pairItems = new Int32Array(users.length * candidates);
  for (let row = 0; row < users.length; row++) {
    pairUsers.fill(users[row], row * candidates, (row + 1) * candidates);
    pairItems[row * candidates] = items[row];
    pairItems.set(negatives.subarray(row * perUser, (row + 1) * perUser), row * candidates + 1);
  }
  const scores = await model.scorePairs(pairUsers, pairItems);
  const ranks = new Int32Array(users.length);
  let auc = 0;
  for (let row = 0; row < users.length; row++) {
    const base = row * candidates;
    const target = scores[base];
    if (!Number.isFinite(target)) throw new DendriteError(`evaluateSampledRanking: the model scored user ${users[row]}'s test item ${target}`);
    let above = 0;
    for (let other = 1; other < candidates; other++) if (scores[base + other] >= target) above++;
    ranks[row] = above;
    auc += perUser === 0 ? 1 : 1 - above / perUser;
  }
  return { ...metricsFromSingleRanks(ranks, k), auc: auc / users.length };
}

/**
 * Full ranking: each user's test items ranked among every item the user did not interact with in the
 * training data. `test` holds (user, item) pairs as dense indices; a user may have several.
 */
export async function evaluateFullRanking(
  model: Recommender, test: { users: Int32Array; items: Int32Array }, options: { k?: number } = {},
): Promise<RankingMetrics> {
  const k = options.k ?? 10;
  const train = model.interactions;
  const byUser = new Map<number, number[]>();
  for (let row = 0; row < test.users.length; row++) {
    const list = byUser.get(test.users[row]) ?? [];
    list.push(test.items[row]);
    byUser.set(test.users[row], list);
  }
  const users = Int32Array.from(byUser.keys()).sort();
  let hr = 0, ndcg = 0, precision = 0, recall = 0, map = 0, auc = 0;
  const block = 256;
  for (let start = 0; start < users.length; start += block) {
    const batch = users.subarray(start, start + block);
    const pairUsers = new Int32Array(batch.length * train.itemCount);
    const pairItems = new Int32Array(batch.length * train.itemCount);
    batch.forEach((user, row) => {
      pairUsers.fill(user, row * train.itemCount, (row + 1) * train.itemCount);
      for (let item = 0; item < train.itemCount; item++) pairItems[row * train.itemCount + item] = item;
    });
    const scores = await model.scorePairs(pairUsers, pairItems);
    batch.forEach((user, row) => {
      const base = row * train.itemCount;
      const relevant = new Set(byUser.get(user));
      const seen = new Set(train.itemsOf(user));
      const candidates: number[] = [];
      for (let item = 0; item < train.itemCount; item++) if (!seen.has(item) || relevant.has(item)) candidates.push(item);
      // Descending score; ties go against the relevant items (they rank after the others).
      candidates.sort((a, b) => scores[base + b] - scores[base + a] || Number(relevant.has(a)) - Number(relevant.has(b)));
      let hits = 0, precisionSum = 0, relevantBelow = 0, correctPairs = 0;
      const negatives = candidates.length - relevant.size;
      candidates.forEach((item, rank) => {
        if (!relevant.has(item)) { relevantBelow++; return; }
        // relevantBelow counts negatives ranked above this relevant item.
        correctPairs += negatives - relevantBelow;
        if (rank < k) {
          hits++;
          precisionSum += hits / (rank + 1);
          ndcg += 1 / Math.log2(rank + 2) / idealDcg(relevant.size, k);
        }
      });
      hr += hits > 0 ? 1 : 0;
      precision += hits / k;
      recall += hits / relevant.size;
      map += precisionSum / Math.min(relevant.size, k);
      auc += negatives === 0 ? 1 : correctPairs / (negatives * relevant.size);
    });
  }
  const n = users.length;
  return { hr: hr / n, ndcg: ndcg / n, precision: precision / n, recall: recall / n, map: map / n, auc: auc / n, users: n, k };
}

/** The DCG of a perfect list (every relevant item first): NDCG's denominator. */
function idealDcg(relevantCount: number, k: number): number {
  let ideal = 0;
  for (let rank = 0; rank < Math.min(relevantCount, k); rank++) ideal += 1 / Math.log2(rank + 2);
  return ideal;
}

function metricsFromSingleRanks(ranks: Int32Array, k: number): Omit<RankingMetrics, 'auc'> {
  let hr = 0, ndcg = 0, map = 0;
  for (const rank of ranks) {
    if (rank < k) {
      hr++;
      ndcg += 1 / Math.log2(rank + 2);
      map += 1 / (rank + 1);
    }
  }
  const n = ranks.length;
  return { hr: hr / n, ndcg: ndcg / n, precision: hr / n / k, recall: hr / n, map: map / n, users: n, k };
}
