import { describe, expect, it } from 'vitest';
import { ready } from '@dendrite/core';
import { loadMovieLens100kDirectory } from '@dendrite/datasets/node';
import { evaluateSampledRanking } from '../evaluation/ranking.js';
import { InteractionMatrix } from '../interactions.js';
import type { Recommender } from '../recommender.js';
import { loadRecommender } from '../registry.js';
import { movieLens100kDirectory, timeSplitForUpdate, type HeldOut } from '../test-support.js';
import { ItemPop } from './item-pop.js';
import { NeuralCf } from './neural-cf.js';

/** HR@10 of a held-out group (raw ids mapped through the model's id maps as they are now). */
async function hitRatio(model: Recommender, group: HeldOut): Promise<number> {
  const { userIds, itemIds } = model.interactions;
  return (await evaluateSampledRanking(model, userIds.indicesOf(group.users), itemIds.indicesOf(group.items), itemIds.indicesOf(group.negatives), { k: 10 })).hr;
}

describe('NeuralCf.update on ML-100K split by time (fit before the cut, update with what came after)', () => {
  it('new users get recommendations far above popularity; users without new interactions keep their scores', { timeout: 120_000 }, async () => {
    await ready();
    const data = await loadMovieLens100kDirectory(movieLens100kDirectory());
    // 80% of the ratings by time to fit on; the rest arrive as an update (~190 users are new in it).
    const split = timeSplitForUpdate(data.ratings, { cut: 0.8, seed: 1 });
    // A quick GMF (two epochs of big batches); the README has NeuMF's figures from bench/ncf-update.ts.
    const model = new NeuralCf({ architecture: 'gmf', factors: 16, learningRate: 0.01, batchSize: 1024 });
    await model.fit(InteractionMatrix.fromRawIds(split.train.users, split.train.items), { epochs: 2, seed: 1 });
    const oldBefore = await hitRatio(model, split.oldUsers);
    // Users with no interaction after the cut, and their scores of every item known before it.
    const touched = new Set(split.update.users);
    const quiet = Array.from(new Set(split.train.users)).filter((user) => !touched.has(user)).slice(0, 50);
    const oldItems = Array.from(new Set(split.train.items)).slice(0, 200);
    const scoresBefore = await Promise.all(quiet.map((user) => model.scoreItems(user, oldItems)));
    const summary = await model.update(split.update, { seed: 1 });
    expect(summary.newUsers).toBeGreaterThan(150);
    const pop = new ItemPop();
    await pop.fit(model.interactions);
    const [newUsers, popularity] = [await hitRatio(model, split.newUsers), await hitRatio(pop, split.newUsers)];
    expect(newUsers).toBeGreaterThan(popularity + 0.15);
    // Only the touched users' rows and the new items' rows moved: the others score exactly as before.
    const scoresAfter = await Promise.all(quiet.map((user) => model.scoreItems(user, oldItems)));
    expect(scoresAfter.map((row) => Array.from(row))).toEqual(scoresBefore.map((row) => Array.from(row)));
    expect(Math.abs((await hitRatio(model, split.oldUsers)) - oldBefore)).toBeLessThan(0.02);
    const loaded = loadRecommender(await model.save());
    expect(await hitRatio(loaded, split.newUsers)).toBe(newUsers);
    loaded.dispose();
    pop.dispose();
    model.dispose();
  });
});
