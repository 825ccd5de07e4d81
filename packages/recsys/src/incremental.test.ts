import { describe, expect, it } from 'vitest';
import { DendriteError, decodeSafetensorsHost, encodeSafetensorsHost } from '@dendrite/core';
import { SeededRandom } from '@dendrite/datasets';
import { extendInteractions } from './incremental.js';
import { InteractionMatrix } from './interactions.js';
import { BiasedMf } from './models/biased-mf.js';
import { BprMf } from './models/bpr.js';
import { ImplicitAls } from './models/implicit-als.js';
import { ItemKnn } from './models/item-knn.js';
import { ItemPop } from './models/item-pop.js';
import { NeuralCf } from './models/neural-cf.js';
import { SvdPlusPlus } from './models/svd-plus-plus.js';
import type { Recommender } from './recommender.js';
import { loadRecommender } from './registry.js';

/** Four taste groups: users 10…49 (group = user mod 4) each rate ~70% of their group's items; items 100…139 (group = item mod 4). */
function fourGroups(): InteractionMatrix {
  const random = new SeededRandom(4);
  const users: number[] = [], items: number[] = [];
  for (let user = 10; user < 50; user++) {
    for (let item = 100; item < 140; item++) {
      if (item % 4 === user % 4 && random.nextFloat() < 0.7) {
        users.push(user);
        items.push(item);
      }
    }
  }
  return InteractionMatrix.fromRawIds(users, items);
}

/** Users 10…49 rate their group's items 5 and a few items of the next group 1. */
function rated(): InteractionMatrix {
  const random = new SeededRandom(6);
  const users: number[] = [], items: number[] = [], ratings: number[] = [];
  for (let user = 10; user < 50; user++) {
    for (let item = 100; item < 140; item++) {
      const own = item % 4 === user % 4, next = item % 4 === (user + 1) % 4;
      if ((own && random.nextFloat() < 0.7) || (next && random.nextFloat() < 0.2)) {
        users.push(user);
        items.push(item);
        ratings.push(own ? 5 : 1);
      }
    }
  }
  return InteractionMatrix.fromRawIds(users, items, Float32Array.from(ratings));
}

const groupOf = (item: number) => item % 4;
/** The model's raw-id top `count` for one user. */
const top = async (model: Recommender, user: number, count = 5) => Array.from((await model.recommend(user, { count })).items);
/** A saved model's factor row for a raw user id. */
async function userRow(model: Recommender, rawUser: number): Promise<number[]> {
  const { tensors } = decodeSafetensorsHost((await model.save()).weights);
  const index = Array.from(tensors['ids.users'].data).indexOf(rawUser);
  const factors = tensors['model.userFactors'];
  return Array.from(factors.data.subarray(index * factors.shape[1], (index + 1) * factors.shape[1]));
}
/** Five group-2 items for a new user, and a new item 9997 rated by six group-1 users; new user 5 (raw id below every other: still appended) rates group 3. */
const added = {
  users: [1000, 1000, 1000, 1000, 1000, 13, 17, 21, 25, 29, 33, 5, 5, 5, 5],
  items: [102, 106, 110, 114, 118, 9997, 9997, 9997, 9997, 9997, 9997, 103, 107, 111, 115],
};

describe('extendInteractions', () => {
  it('appends new ids after the known ones (no known index shifts), keeps old entries, lets a repeated pair take the new value', () => {
    const matrix = InteractionMatrix.fromRawIds([10, 10, 20], [1, 2, 1], Float32Array.of(1, 2, 3));
    const grown = extendInteractions(matrix, { users: [5, 10, 3], items: [2, 7, 0], values: [4, 9, 1] });
    // 5 and 3 sort below 10 and 20, yet follow them: user 10 stays index 0, item 1 index 0.
    expect(Array.from(grown.matrix.userIds.rawIds)).toEqual([10, 20, 3, 5]);
    expect(Array.from(grown.matrix.itemIds.rawIds)).toEqual([1, 2, 0, 7]);
    expect(Array.from(grown.userSource)).toEqual([0, 1, -1, -1]);
    expect(Array.from(grown.itemSource)).toEqual([0, 1, -1, -1]);
    expect({ newUsers: grown.newUsers, newItems: grown.newItems, interactions: grown.interactions }).toEqual({ newUsers: 2, newItems: 2, interactions: 3 });
    expect(Array.from(grown.touchedUsers)).toEqual([0, 2, 3]);
    expect(Array.from(grown.matrix.itemsOf(0))).toEqual([0, 1, 3]); // user 10: items 1, 2, 7
    expect(Array.from(grown.matrix.valuesOf(0))).toEqual([1, 2, 9]);
    expect(Array.from(grown.matrix.itemsOf(3))).toEqual([1]); // user 5: item 2
    const again = extendInteractions(matrix, { users: [10], items: [2], values: [5] });
    expect(Array.from(again.matrix.valuesOf(0))).toEqual([1, 5]);
    expect(again.matrix.size).toBe(3);
  });

  it('refuses bad input by position', () => {
    const matrix = InteractionMatrix.fromRawIds([10], [1]);
    expect(() => extendInteractions(matrix, { users: [1, Number.NaN], items: [1, 1] })).toThrow(/user id NaN at position 1/);
    expect(() => extendInteractions(matrix, { users: [1], items: [1.5] })).toThrow(/item id 1.5 at position 0/);
    expect(() => extendInteractions(matrix, { users: [1], items: [1], values: [Number.POSITIVE_INFINITY] })).toThrow(/value Infinity at position 0/);
    expect(() => extendInteractions(matrix, { users: [1, 2], items: [1] })).toThrow(/same length/);
    expect(() => extendInteractions(matrix, { users: [], items: [] })).toThrow(/no new interactions/);
    // Ids are int32: 2³¹ would wrap onto another id's row.
    expect(() => extendInteractions(matrix, { users: [1, 2 ** 31], items: [1, 1] })).toThrow(/user id 2147483648 at position 1 is not an integer in the int32 range/);
    expect(() => extendInteractions(matrix, { users: [1], items: ['7' as unknown as number] })).toThrow(/item id 7 at position 0/);
    for (const shape of [null, { users: 5, items: [1] }, { users: [1], items: undefined }, { users: [1], items: [1], values: 'x' }]) {
      expect(() => extendInteractions(matrix, shape as never)).toThrow(/expected \{ users, items, values\? \} as arrays/);
    }
  });
});

describe('Recommender.update', () => {
  it('ALS: new users and items get solved rows that follow their interactions; untouched rows are unchanged; ids survive save/load', async () => {
    const als = new ImplicitAls({ factors: 8, alpha: 5, regularization: 0.1 });
    await als.fit(fourGroups(), { epochs: 10, seed: 1 });
    const untouchedItems = [100, 104, 108, 120, 124]; // group 0: nobody in the update rates them
    const before = await als.scoreItems(12, untouchedItems);
    const indexBefore = als.interactions.userIds.index(12);
    const summary = await als.update(added);
    expect({ newUsers: summary.newUsers, newItems: summary.newItems, interactions: summary.interactions }).toEqual({ newUsers: 2, newItems: 1, interactions: 15 });
    expect(summary.touchedUsers.length).toBe(8);
    // The new users' recommendations come from the group they rated.
    expect((await top(als, 1000)).map(groupOf)).toEqual([2, 2, 2, 2, 2]);
    const shifted = (await top(als, 5)).map(groupOf);
    expect(shifted.slice(0, 3)).toEqual([3, 3, 3]);
    expect(shifted.filter((group) => group === 3).length).toBeGreaterThanOrEqual(4);
    expect((await top(als, 1000))).not.toContain(102);
    // The new item sits among group 1.
    expect((await als.similarItems(9997, 5)).items.every((item) => groupOf(item) === 1)).toBe(true);
    // User 12 (group 0) and the group-0 items were not touched: the same scores, at the same dense indices.
    expect(Array.from(await als.scoreItems(12, untouchedItems))).toEqual(Array.from(before));
    expect(als.interactions.userIds.index(12)).toBe(indexBefore);
    expect(als.interactions.userIds.index(5)).toBe(40); // a new id, appended
    const saved = await als.save();
    const loaded = loadRecommender(saved);
    expect(Array.from(loaded.interactions.userIds.rawIds)).toEqual(Array.from(als.interactions.userIds.rawIds)); // read back in saved order, not re-sorted
    expect(await top(loaded, 1000, 10)).toEqual(await top(als, 1000, 10));
    // A saved id map that repeats an id is refused by name.
    const { tensors } = decodeSafetensorsHost(saved.weights);
    const users = Int32Array.from(tensors['ids.users'].data);
    users[1] = users[0];
    const broken = encodeSafetensorsHost({ ...tensors, 'ids.users': { dtype: 'int32', shape: [users.length], data: users } } as never);
    expect(() => loadRecommender({ config: saved.config, weights: broken })).toThrow(/loadRecommender: tensor 'ids.users': id 10 at position 1 repeats/);
    expect(Array.from(await loaded.scoreItems(5, [9997, 103]))).toEqual(Array.from(await als.scoreItems(5, [9997, 103])));
    loaded.dispose();
    als.dispose();
  });

  it('BPR: a few SGD epochs on the new interactions; users without one keep their vectors', async () => {
    const bpr = new BprMf({ factors: 8, learningRate: 0.05, regularization: 0.01 });
    await bpr.fit(fourGroups(), { epochs: 40, seed: 2 });
    const rowBefore = await userRow(bpr, 12);
    await bpr.update(added, { epochs: 30, seed: 3 });
    expect(await userRow(bpr, 12)).toEqual(rowBefore);
    const newUser = (await top(bpr, 1000)).map(groupOf);
    expect(newUser.filter((group) => group === 2).length).toBeGreaterThanOrEqual(4);
    const loaded = loadRecommender(await bpr.save());
    expect(await top(loaded, 1000, 10)).toEqual(await top(bpr, 1000, 10));
    loaded.dispose();
    bpr.dispose();
  });

  it('ItemPop recounts and item-kNN recomputes on the merged data', async () => {
    const pop = new ItemPop();
    await pop.fit(fourGroups());
    await pop.update({ users: Array.from({ length: 30 }, (_, user) => 10 + user), items: Array.from({ length: 30 }, () => 5000) });
    expect((await top(pop, 7777, 1))[0]).toBe(5000); // an unknown user gets the popularity ranking
    const knn = new ItemKnn({ neighbours: 10, shrinkage: 1 });
    await knn.fit(fourGroups());
    await knn.update(added);
    expect((await top(knn, 1000)).map(groupOf)).toEqual([2, 2, 2, 2, 2]);
    expect((await knn.similarItems(9997, 3)).items.every((item) => groupOf(item) === 1)).toBe(true);
    pop.dispose();
    knn.dispose();
  });

  it('biased MF: SGD on the new ratings only; untouched users and items keep their predictions; needs ratings', async () => {
    const mf = new BiasedMf({ factors: 8, learningRate: 0.02, userRegularization: 0.02, itemRegularization: 0.02 });
    await mf.fit(rated(), { epochs: 40, seed: 1 });
    const before = await mf.predict([12, 12], [100, 104]);
    await expect(mf.update({ users: [1000], items: [102] })).rejects.toThrow(/needs the new ratings/);
    // The new user loves group 2 and dislikes group 3.
    await mf.update({ users: [1000, 1000, 1000, 1000, 1000, 1000], items: [102, 106, 110, 103, 107, 111], values: [5, 5, 5, 1, 1, 1] }, { epochs: 30 });
    const [liked, disliked] = [await mf.predict([1000, 1000, 1000], [114, 118, 122]), await mf.predict([1000, 1000, 1000], [115, 119, 123])];
    for (let position = 0; position < 3; position++) expect(liked[position]).toBeGreaterThan(disliked[position] + 1);
    expect(Array.from(await mf.predict([12, 12], [100, 104]))).toEqual(Array.from(before));
    const loaded = loadRecommender(await mf.save()) as BiasedMf;
    expect(Array.from(await loaded.predict([1000, 1000], [114, 115]))).toEqual(Array.from(await mf.predict([1000, 1000], [114, 115])));
    loaded.dispose();
    mf.dispose();
  });

  it('SVD++: SGD on the new ratings with N(u) grown; untouched users and items keep their predictions; old saves refuse', async () => {
    const svdpp = new SvdPlusPlus({ factors: 8, learningRate: 0.02, userRegularization: 0.02, itemRegularization: 0.02 });
    await svdpp.fit(rated(), { epochs: 40, seed: 1 });
    const before = await svdpp.predict([12, 12, 16], [100, 104, 108]);
    await expect(svdpp.update({ users: [1000], items: [102] })).rejects.toThrow(/svdpp.update: a rating model needs the new ratings/);
    // A new user who loves group 2 and dislikes group 3; an old group-1 user (13) rates a new item 9997 high.
    await svdpp.update({ users: [1000, 1000, 1000, 1000, 1000, 1000, 13], items: [102, 106, 110, 103, 107, 111, 9997], values: [5, 5, 5, 1, 1, 1, 5] }, { epochs: 30 });
    const [liked, disliked] = [await svdpp.predict([1000, 1000, 1000], [114, 118, 122]), await svdpp.predict([1000, 1000, 1000], [115, 119, 123])];
    for (let position = 0; position < 3; position++) expect(liked[position]).toBeGreaterThan(disliked[position] + 1);
    expect(Array.from(await svdpp.predict([12, 12, 16], [100, 104, 108]))).toEqual(Array.from(before));
    const saved = await svdpp.save();
    const loaded = loadRecommender(saved) as SvdPlusPlus;
    expect(Array.from(await loaded.predict([1000, 13], [114, 9997]))).toEqual(Array.from(await svdpp.predict([1000, 13], [114, 9997])));
    // The loaded model updates again (its yⱼ were saved).
    await loaded.update({ users: [1001, 1001], items: [101, 105], values: [5, 5] }, { epochs: 5 });
    expect(loaded.interactions.userCount).toBe(svdpp.interactions.userCount + 1);
    // A save without the yⱼ (as written before svdpp.update existed) loads and predicts, but refuses update.
    const { tensors } = decodeSafetensorsHost(saved.weights);
    delete tensors['model.implicitFactors'];
    const older = loadRecommender({ config: saved.config, weights: encodeSafetensorsHost(tensors as never) }) as SvdPlusPlus;
    expect(Array.from(await older.predict([12], [100]))).toEqual([before[0]]);
    await expect(older.update({ users: [1001], items: [101], values: [5] })).rejects.toThrow(/svdpp.update: this model has no implicit factors/);
    for (const model of [svdpp, loaded, older]) model.dispose();
  });

  it('NCF (GMF, MLP, NeuMF): new rows learned from the new interactions; untouched users keep every old item\'s score; save/load after update', { timeout: 60_000 }, async () => {
    const untouchedItems = [100, 104, 108, 101, 102, 103];
    for (const architecture of ['gmf', 'mlp', 'neumf'] as const) {
      const model = new NeuralCf({ architecture, factors: 8, mlpLayers: [16, 8], learningRate: 0.01, batchSize: 64 });
      await model.fit(fourGroups(), { epochs: 30, seed: 1 });
      const before = await model.scoreItems(12, untouchedItems);
      const indexBefore = model.interactions.userIds.index(12);
      const summary = await model.update(added, { epochs: 30, learningRate: 0.01, seed: 2 });
      expect({ newUsers: summary.newUsers, newItems: summary.newItems, interactions: summary.interactions }).toEqual({ newUsers: 2, newItems: 1, interactions: 15 });
      // The new users' recommendations come from the group they rated.
      expect((await top(model, 1000)).map(groupOf).filter((group) => group === 2).length, architecture).toBeGreaterThanOrEqual(4);
      expect((await top(model, 5)).map(groupOf).filter((group) => group === 3).length, architecture).toBeGreaterThanOrEqual(4);
      expect(await top(model, 1000)).not.toContain(102);
      // The new item scores higher for a group-1 user who has not rated it than for users of other groups.
      const [fan, ...others] = await Promise.all([37, 36, 38, 39].map(async (user) => (await model.scoreItems(user, [9997]))[0]));
      expect(fan, architecture).toBeGreaterThan(Math.max(...others));
      // User 12 had no new interaction and the old items' rows and the layers are frozen: the same scores, at the same index.
      expect(Array.from(await model.scoreItems(12, untouchedItems))).toEqual(Array.from(before));
      expect(model.interactions.userIds.index(12)).toBe(indexBefore);
      const loaded = loadRecommender(await model.save());
      expect(await top(loaded, 1000, 10)).toEqual(await top(model, 1000, 10));
      expect(Array.from(await loaded.scoreItems(5, [9997, 103]))).toEqual(Array.from(await model.scoreItems(5, [9997, 103])));
      // A loaded, updated model updates again.
      await (loaded as NeuralCf).update({ users: [1001, 1001, 1001], items: [101, 105, 109] }, { epochs: 30, learningRate: 0.01 });
      expect((await top(loaded, 1001)).map(groupOf).filter((group) => group === 1).length, architecture).toBeGreaterThanOrEqual(4);
      loaded.dispose();
      model.dispose();
    }
  });

  it('NCF update: bad options and a disposed model are DendriteErrors that change nothing', async () => {
    const model = new NeuralCf({ architecture: 'gmf', factors: 4, batchSize: 64 });
    await model.fit(fourGroups(), { epochs: 2, seed: 1 });
    await expect(model.update(added, { items: 'all' as never })).rejects.toThrow(/neumf|gmf\.update: items must be 'new' or 'touched'/);
    await expect(model.update(added, { epochs: -1 })).rejects.toThrow(/epochs/);
    await expect(model.update(added, { learningRate: Number.NaN })).rejects.toThrow(/learningRate/);
    await expect(model.update({ users: [1000], items: [102], values: [Number.NaN] })).rejects.toThrow(/value NaN at position 0/);
    await expect(model.update({ users: [1000, 1001], items: [102] })).rejects.toThrow(/same length/);
    expect(model.interactions.userCount).toBe(40);
    model.dispose();
    await expect(model.update(added)).rejects.toThrow(DendriteError);
    await expect(model.update(added)).rejects.toThrow(/gmf\.update: the model has no weights \(it was disposed/);
    expect(model.interactions.userCount).toBe(40);
  });

  it('a disposed factor model refuses update by name', async () => {
    const bpr = new BprMf({ factors: 4 });
    await bpr.fit(fourGroups(), { epochs: 1, seed: 1 });
    bpr.dispose();
    await expect(bpr.update(added)).rejects.toThrow(/bpr is not fitted/);
    expect(bpr.interactions.userCount).toBe(40);
  });
});
