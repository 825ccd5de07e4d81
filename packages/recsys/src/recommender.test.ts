import { describe, expect, it } from 'vitest';
import { memory } from '@dendrite/core';
import { ImplicitAls } from './models/implicit-als.js';
import { NeuralCf } from './models/neural-cf.js';
import { SeededRandom } from '@dendrite/datasets';
import { InteractionMatrix } from './interactions.js';
import { ItemPop } from './models/item-pop.js';
import { BiasedMf } from './models/biased-mf.js';
import { createRecommender, loadRecommender, MODEL_NAMES } from './registry.js';
import { twoGroups } from './test-support.js';

/** Raw ids of one user's list in a flat recommendation result. */
const listOf = (items: Int32Array, count: number, row: number) => Array.from(items.subarray(row * count, (row + 1) * count));

describe('Recommender (shared behaviour, on two taste groups)', () => {
  it('recommends unseen items of the user\'s own group first, in raw ids, by one batched call', async () => {
    const matrix = twoGroups();
    const als = new ImplicitAls({ factors: 2, alpha: 5, regularization: 0.01 });
    await als.fit(matrix, { epochs: 10, seed: 3 });
    const { items, scores, count } = await als.recommend([1, 8], { count: 2 });
    expect(count).toBe(2);
    // User 1 misses item 101 (and is odd: only one); user 8 misses 108 and 109.
    expect(listOf(items, 2, 0)[0]).toBe(101);
    expect(new Set(listOf(items, 2, 1))).toEqual(new Set([108, 109]));
    expect(scores[0]).toBeGreaterThan(scores[1]);
    // Seen items never come back; filtered ones neither.
    const all = await als.recommend(8, { count: 12, filterItems: [109] });
    const eligible = listOf(all.items, 12, 0).filter((item) => item !== -1);
    expect(eligible).not.toContain(109);
    expect(eligible.every((item) => item === 108 || item < 106)).toBe(true);
    // 12 items, 4 seen, 1 filtered: 7 eligible, the rest padded with -1 / -Infinity.
    expect(eligible).toHaveLength(7);
    expect(Array.from(all.scores.subarray(7))).toEqual([-Infinity, -Infinity, -Infinity, -Infinity, -Infinity]);
    // excludeSeen: false ranks seen items too.
    const withSeen = await als.recommend(8, { count: 12, excludeSeen: false });
    expect(listOf(withSeen.items, 12, 0)).not.toContain(-1);
    als.dispose();
  });

  it('falls back to popularity for an unknown user and refuses items outside the catalogue', async () => {
    const matrix = twoGroups();
    const als = new ImplicitAls({ factors: 4 });
    await als.fit(matrix, { epochs: 3 });
    const pop = new ItemPop();
    await pop.fit(matrix);
    const unknown = await als.recommend(999, { count: 3 });
    const popular = await pop.recommend(999, { count: 3 });
    expect(Array.from(unknown.items)).toEqual(Array.from(popular.items));
    expect(Array.from(await als.scoreItems(999, [100, 101]))).toEqual([5, 4]);
    await expect(als.scoreItems(1, [100, 5000])).rejects.toThrow('scoreItems: item 5000 is not in the catalogue (12 items)');
    await expect(als.recommend(1, { filterItems: [77] })).rejects.toThrow('recommend (filterItems): item 77 is not in the catalogue');
    await expect(als.recommend(NaN)).rejects.toThrow('recommend: user id NaN is not a number');
    await expect(als.similarUsers(999)).rejects.toThrow('similarUsers: user 999 is unknown to this model');
    await expect(pop.similarItems(100)).rejects.toThrow('similarItems: pop has no item vectors to compare');
    await expect(new ImplicitAls().recommend(1)).rejects.toThrow('recommend: als is not fitted');
    als.dispose();
  });

  it('finds similar items and users within the same group, never the query itself', async () => {
    const matrix = twoGroups();
    const als = new ImplicitAls({ factors: 4, alpha: 5, regularization: 0.1 });
    await als.fit(matrix, { epochs: 10, seed: 3 });
    const items = await als.similarItems(100, 3);
    expect(Array.from(items.items)).not.toContain(100);
    expect(Array.from(items.items).every((item) => item >= 100 && item <= 105)).toBe(true);
    const users = await als.similarUsers(9, 4);
    expect(Array.from(users.users).every((user) => user >= 7 && user !== 9)).toBe(true);
    als.dispose();
  });

  it.each(MODEL_NAMES)('%s: save → loadRecommender gives the same recommendations and scores, and dispose frees its tensors', async (name) => {
    const matrix = twoGroups();
    const before = memory().tensors;
    const model = createRecommender(name, name === 'gmf' || name === 'mlp' || name === 'neumf' ? { factors: 4, mlpLayers: [8, 4], learningRate: 0.01 } : { factors: 4 });
    await model.fit(matrix, { epochs: 3, seed: 2 });
    const saved = await model.save();
    expect(saved.config.model).toBe(name);
    // The config survives JSON (what a file on disk holds).
    const loaded = loadRecommender({ config: JSON.parse(JSON.stringify(saved.config)), weights: saved.weights });
    const original = await model.recommend([1, 7, 12], { count: 4 });
    const restored = await loaded.recommend([1, 7, 12], { count: 4 });
    expect(Array.from(restored.items)).toEqual(Array.from(original.items));
    expect(Array.from(restored.scores)).toEqual(Array.from(original.scores));
    model.dispose();
    loaded.dispose();
    expect(memory().tensors).toBe(before);
  });
});

describe('cold start: recommendForHistory', () => {
  it('folds a new user in from a few interactions (ALS solve), popularity when there are none', async () => {
    const matrix = twoGroups();
    const als = new ImplicitAls({ factors: 2, alpha: 5, regularization: 0.01 });
    await als.fit(matrix, { epochs: 10, seed: 3 });
    // A new user who liked three items of the second group gets the rest of that group first.
    const top = await als.recommendForHistory({ items: [106, 107, 108] }, { count: 3 });
    expect(Array.from(top.items).every((item) => item >= 109)).toBe(true);
    const none = await als.recommendForHistory({ items: [] }, { count: 3 });
    const pop = new ItemPop();
    await pop.fit(matrix);
    expect(Array.from(none.items)).toEqual(Array.from((await pop.recommend(999, { count: 3 })).items));
    await expect(als.recommendForHistory({ items: [106, 5000] })).rejects.toThrow('recommendForHistory: item 5000 is not in the catalogue');
    await expect(als.recommendForHistory({ items: [106], ratings: [NaN] })).rejects.toThrow('rating NaN at position 0 is not a finite number');
    als.dispose();
  });

  it('folds a new rater into biased MF: high ratings of one group raise that group', async () => {
    const matrix = twoGroups();
    const mf = new BiasedMf({ factors: 2, learningRate: 0.05 });
    await mf.fit(matrix, { epochs: 30, seed: 1 });
    const top = await mf.recommendForHistory({ items: [100, 101, 106, 107], ratings: [1, 1, 1, 1] }, { count: 8 });
    expect(top.items).toHaveLength(8);
    expect(Array.from(top.items)).not.toContain(100);
    mf.dispose();
  });
});

describe('cold start for NCF: a few Adam steps on the new user\'s embedding', () => {
  it('a new fan of the second group gets the rest of that group, with every trained weight untouched', async () => {
    // 2 groups × 40 users; each user interacted with a random half of their group's 20 items.
    const random = new SeededRandom(9);
    const users: number[] = [], items: number[] = [];
    for (let user = 0; user < 80; user++) {
      for (let item = 0; item < 20; item++) {
        if (random.nextFloat() < 0.5) continue;
        users.push(user);
        items.push((user < 40 ? 0 : 20) + item);
      }
    }
    const gmf = new NeuralCf({ architecture: 'gmf', factors: 4, learningRate: 0.02 });
    await gmf.fit(InteractionMatrix.fromRawIds(users, items), { epochs: 20, seed: 4 });
    const before = (await gmf.save()).weights;
    const top = await gmf.recommendForHistory({ items: [20, 21, 22, 23, 24] }, { count: 5, steps: 60 });
    expect(Array.from(top.items).every((item) => item >= 25)).toBe(true);
    expect((await gmf.save()).weights).toEqual(before);
    gmf.dispose();
  });
});

describe('NeuMF initialised from pretrained GMF and MLP (the paper\'s recipe)', () => {
  it('starts from both towers: its first logits are α·GMF + (1 − α)·MLP', async () => {
    const matrix = twoGroups();
    const options = { factors: 4, mlpLayers: [8, 4], learningRate: 0.01 };
    const gmf = new NeuralCf({ ...options, architecture: 'gmf' });
    const mlp = new NeuralCf({ ...options, architecture: 'mlp' });
    await gmf.fit(matrix, { epochs: 5, seed: 1 });
    await mlp.fit(matrix, { epochs: 5, seed: 2 });
    const neumf = new NeuralCf({ ...options, architecture: 'neumf' }).initializeFrom({ gmf, mlp, alpha: 0.3 });
    await neumf.fit(matrix, { epochs: 0 });
    const users = Int32Array.of(0, 3, 7, 11), items = Int32Array.of(2, 9, 0, 5);
    const [joined, gmfScores, mlpScores] = await Promise.all([neumf.scorePairs(users, items), gmf.scorePairs(users, items), mlp.scorePairs(users, items)]);
    joined.forEach((value, pair) => expect(value).toBeCloseTo(0.3 * gmfScores[pair] + 0.7 * mlpScores[pair], 5));
    expect(() => new NeuralCf({ ...options, architecture: 'gmf' }).initializeFrom({ gmf, mlp })).toThrow('only NeuMF starts from pretrained models');
    expect(() => new NeuralCf({ ...options, factors: 8 }).initializeFrom({ gmf, mlp })).toThrow("must have this model's factors and mlpLayers");
    for (const model of [gmf, mlp, neumf]) model.dispose();
  });
});
