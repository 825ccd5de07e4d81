import {
  DendriteError, add, concat, decodeSafetensorsHost, div, encodeSafetensorsHost, gather, keep, matmul, maximum, noGrad, reshape, sqrt, square, sum,
  tensor, tidy, topK, type DecodedHostTensor, type HostTensor, type Tensor,
} from '@dendrite/core';
import { IdMap } from '@dendrite/datasets';
import { extendInteractions, type InteractionExtension, type NewInteractions, type UpdateOptions, type UpdateSummary } from './incremental.js';
import { InteractionMatrix } from './interactions.js';

/** What one epoch of {@link Recommender.fit} reports (validation figures when a validation set was given). */
export interface EpochLog {
  epoch: number;
  loss: number;
  seconds: number;
  [metric: string]: number;
}

/** Options of {@link Recommender.fit}. */
export interface FitOptions {
  /** Training epochs (iterations for ALS); each model has a tuned default. */
  epochs?: number;
  seed?: number;
  /** Called after every epoch; return `false` to stop early. */
  onEpoch?: (log: EpochLog) => void | boolean | Promise<void | boolean>;
}

/** What {@link Recommender.fit} returns: one log per epoch run. */
export interface History {
  epochs: EpochLog[];
}

/** Options of {@link Recommender.recommend}. */
export interface RecommendOptions {
  /** Items per user (default 10; at most the catalogue size). */
  count?: number;
  /** Leave out the items each user interacted with in the training data (default true). */
  excludeSeen?: boolean;
  /** Raw item ids never to recommend. */
  filterItems?: ArrayLike<number>;
}

/**
 * Top items per user, flat: user b's list is `items[b*count .. (b+1)*count)`, best first, in raw
 * ids. When fewer than `count` items are eligible the tail holds item -1 with score -Infinity.
 */
export interface Recommendations {
  items: Int32Array;
  scores: Float32Array;
  count: number;
}

/** A saved model: a JSON config (model name, hyper-parameters) and safetensors weights (factors, id maps, training interactions). */
export interface SavedRecommender {
  config: { model: string; format: 1; [key: string]: unknown };
  weights: Uint8Array;
}

/** Users scored per matmul + topK pass in {@link Recommender.recommend} (bounds the [users, items] score block). */
const RECOMMEND_BATCH = 2048;

/**
 * The common interface of every recommender (the shape of the Python `implicit` library): fit on an
 * {@link InteractionMatrix}, then rank, score and compare in raw ids. Ranking for a batch of users is one
 * score block (a matmul for factor models) and one `topK`, never a loop over items.
 * A user unknown to the model gets the documented fallback: items ranked by training popularity.
 *
 * @example
 * ```ts
 * const model = new ImplicitAls({ factors: 64 });
 * await model.fit(matrix);
 * const { items, scores } = await model.recommend([1, 2, 3], { count: 10 }); // raw MovieLens ids
 * model.dispose();
 * ```
 */
export abstract class Recommender {
  /** The registry name, e.g. 'als' (stored in saved configs). */
  abstract readonly name: string;
  protected data: InteractionMatrix | null = null;
  private popularity: Float32Array | null = null;

  /** Train on `data` (replacing any earlier fit). */
  abstract fit(data: InteractionMatrix, options?: FitOptions): Promise<History>;

  /** Scores [users.length, itemCount] for dense user indices (a tensor the caller disposes). */
  protected abstract scoreUsers(users: Int32Array): Tensor;

  /** Item vectors [itemCount, d] for {@link Recommender.similarItems}, or null when the model has none. */
  protected itemVectors(): Tensor | null {
    return null;
  }

  /** User vectors [userCount, d] for {@link Recommender.similarUsers}, or null when the model has none. */
  protected userVectors(): Tensor | null {
    return null;
  }

  /** Hyper-parameters to store in the saved config. */
  protected abstract hyperparameters(): Record<string, unknown>;

  /** Learned tensors to store, by name. */
  protected abstract weightTensors(): Promise<Record<string, HostTensor>>;

  /** Restore learned tensors saved by {@link Recommender.weightTensors}. */
  protected abstract restoreWeights(weights: Record<string, DecodedHostTensor>): void;

  /** The training data (throws before fit). */
  get interactions(): InteractionMatrix {
    return this.requireData('interactions');
  }

  /**
   * The top `count` items for each raw user id, by one score block + `topK` per batch of users.
   *
   * @example
   * ```ts
   * const top = await model.recommend([196, 186], { count: 5, filterItems: [50] });
   * top.items.subarray(0, 5); // user 196's five, raw item ids
   * ```
   */
  async recommend(users: number | ArrayLike<number>, options: RecommendOptions = {}): Promise<Recommendations> {
    const data = this.requireData('recommend');
    const rawUsers = typeof users === 'number' ? [users] : Array.from(users);
    const count = Math.min(options.count ?? 10, data.itemCount);
    if (!Number.isInteger(count) || count < 1) throw new DendriteError(`recommend: count must be a positive integer, got ${options.count}`);
    const excludeSeen = options.excludeSeen ?? true;
    const filtered = Array.from(options.filterItems ?? [], (rawItem) => data.itemIndex(rawItem, 'recommend (filterItems)'));
    const indices = Int32Array.from(rawUsers, (rawUser) => {
      if (!Number.isFinite(rawUser)) throw new DendriteError(`recommend: user id ${rawUser} is not a number`);
      return data.userIndex(rawUser);
    });
    const items = new Int32Array(indices.length * count);
    const scores = new Float32Array(indices.length * count);
    for (let start = 0; start < indices.length; start += RECOMMEND_BATCH) {
      const batch = indices.subarray(start, start + RECOMMEND_BATCH);
      const mask = new Float32Array(batch.length * data.itemCount);
      for (let row = 0; row < batch.length; row++) {
        const base = row * data.itemCount;
        if (excludeSeen && batch[row] >= 0) for (const item of data.itemsOf(batch[row])) mask[base + item] = -Infinity;
        for (const item of filtered) mask[base + item] = -Infinity;
      }
      const [values, picks] = tidy(() => {
        const ranked = topK(add(this.scoreBatchWithFallback(batch), tensor(mask, [batch.length, data.itemCount])), count);
        return [ranked.values, ranked.indices];
      });
      const [scoreValues, itemValues] = await Promise.all([values.data(), picks.data()]);
      values.dispose();
      picks.dispose();
      for (let position = 0; position < scoreValues.length; position++) {
        const score = scoreValues[position];
        items[start * count + position] = score === -Infinity ? -1 : data.itemIds.rawId(itemValues[position]);
        scores[start * count + position] = score;
      }
    }
    return { items, scores, count };
  }

  /**
   * Scores of the given raw item ids for one raw user id (higher ranks first). An unknown user gets
   * popularity scores; an item outside the catalogue is a `DendriteError`.
   */
  async scoreItems(user: number, items: ArrayLike<number>): Promise<Float32Array> {
    const data = this.requireData('scoreItems');
    const itemIndices = Int32Array.from(Array.from(items), (rawItem) => data.itemIndex(rawItem, 'scoreItems'));
    const scores = tidy(() => gather(this.scoreBatchWithFallback(Int32Array.of(data.userIndex(user))), tensor(itemIndices, [itemIndices.length], 'int32'), 1));
    const values = await scores.data();
    scores.dispose();
    return values as Float32Array;
  }

  /** The `count` items most similar to a raw item id (cosine of the model's item vectors), itself excluded. */
  async similarItems(item: number, count = 10): Promise<{ items: Int32Array; scores: Float32Array }> {
    const data = this.requireData('similarItems');
    return this.mostSimilar('similarItems', this.itemVectors(), data.itemIndex(item, 'similarItems'), count, data.itemIds);
  }

  /** The `count` users most similar to a raw user id (cosine of the model's user vectors), itself excluded. */
  async similarUsers(user: number, count = 10): Promise<{ users: Int32Array; scores: Float32Array }> {
    const data = this.requireData('similarUsers');
    const index = data.userIndex(user);
    if (index < 0) throw new DendriteError(`similarUsers: user ${user} is unknown to this model`);
    const { items, scores } = await this.mostSimilar('similarUsers', this.userVectors(), index, count, data.userIds);
    return { users: items, scores };
  }

  /**
   * The model as a JSON config and safetensors bytes (factors, id maps and training interactions,
   * so recommendations after {@link loadRecommender} exclude the same seen items).
   */
  async save(): Promise<SavedRecommender> {
    const data = this.requireData('save');
    const tensors: Record<string, HostTensor> = {
      'ids.users': { dtype: 'int32', shape: [data.userCount], data: data.userIds.rawIds },
      'ids.items': { dtype: 'int32', shape: [data.itemCount], data: data.itemIds.rawIds },
      'interactions.offsets': { dtype: 'int32', shape: [data.userCount + 1], data: data.byUser.offsets },
      'interactions.items': { dtype: 'int32', shape: [data.size], data: data.byUser.columns },
      'interactions.values': { dtype: 'float32', shape: [data.size], data: data.byUser.values },
    };
    for (const [name, value] of Object.entries(await this.weightTensors())) tensors[`model.${name}`] = value;
    return { config: { model: this.name, format: 1, ...this.hyperparameters() }, weights: encodeSafetensorsHost(tensors) };
  }

  /** @internal Restore from {@link Recommender.save}'s output (see {@link loadRecommender}). */
  restore(saved: SavedRecommender): this {
    const { tensors } = decodeSafetensorsHost(saved.weights);
    const need = (name: string): DecodedHostTensor => {
      const found = tensors[name];
      if (!found) throw new DendriteError(`loadRecommender: the weights lack tensor '${name}'`);
      return found;
    };
    const ints = (name: string) => {
      const found = need(name);
      if (!(found.data instanceof Int32Array)) throw new DendriteError(`loadRecommender: tensor '${name}' must be int32`);
      return found.data;
    };
    // In the saved order: an updated model's maps end with the ids update appended (older saves are ascending, read the same).
    const ordered = (name: string) => {
      try {
        return IdMap.fromOrderedIds(ints(name));
      } catch (error) {
        if (error instanceof DendriteError) throw error;
        throw new DendriteError(`loadRecommender: tensor '${name}': ${(error as Error).message}`);
      }
    };
    const ids = { userIds: ordered('ids.users'), itemIds: ordered('ids.items') };
    const values = need('interactions.values').data;
    this.setData(InteractionMatrix.fromCompressedRows({
      offsets: ints('interactions.offsets'), columns: ints('interactions.items'), values: Float32Array.from(values),
    }, ids));
    const model: Record<string, DecodedHostTensor> = {};
    for (const [name, value] of Object.entries(tensors)) if (name.startsWith('model.')) model[name.slice(6)] = value;
    this.restoreWeights(model);
    return this;
  }

  /**
   * Scores of (user, item) pairs given as dense indices of the model's id maps (what the evaluation
   * protocols use; users must be known). Factor models score blocks of users by matmul and pick.
   */
  async scorePairs(users: Int32Array, items: Int32Array): Promise<Float32Array> {
    const data = this.requireData('scorePairs');
    if (users.length !== items.length) throw new DendriteError(`scorePairs: ${users.length} users but ${items.length} items`);
    const distinct = Int32Array.from(new Set(users)).sort();
    for (const user of distinct) if (!(user >= 0 && user < data.userCount)) throw new DendriteError(`scorePairs: user index ${user} is outside [0, ${data.userCount})`);
    for (const item of items) if (!(item >= 0 && item < data.itemCount)) throw new DendriteError(`scorePairs: item index ${item} is outside the catalogue [0, ${data.itemCount})`);
    const rowOf = new Int32Array(data.userCount);
    const result = new Float32Array(users.length);
    for (let start = 0; start < distinct.length; start += RECOMMEND_BATCH) {
      const block = distinct.subarray(start, start + RECOMMEND_BATCH);
      block.forEach((user, row) => { rowOf[user] = row; });
      const scores = this.scoreUsers(block);
      const values = await scores.data();
      scores.dispose();
      for (let pair = 0; pair < users.length; pair++) {
        const user = users[pair];
        if (user >= block[0] && user <= block[block.length - 1]) result[pair] = values[rowOf[user] * data.itemCount + items[pair]];
      }
    }
    return result;
  }

  /**
   * Incremental update: merge new interactions (raw ids) into the model without refitting from scratch.
   * Unknown users and items get rows appended after the known ones (every known id keeps its dense index;
   * raw ids keep working, saved and loaded). What each model does — ItemPop recounts; item-kNN recomputes
   * its similarities on the merged data (exact); ALS re-solves the touched users' and items' rows by
   * weighted least squares, every other row unchanged; BPR and biased MF run SGD epochs over the new
   * interactions only (new rows start like fit's; MF needs `values`); NCF trains the touched users' and the
   * new items' embedding rows by a row-sparse Adam (`NeuralCf.update`); SVD++ refuses with a
   * `DendriteError` (refit on the merged data: `extendInteractions`).
   *
   * @example
   * ```ts
   * await als.update({ users: [5000, 5000, 196], items: [50, 172, 1682] }); // user 5000 is new
   * await als.recommend(5000, { count: 10 });
   * ```
   */
  async update(added: NewInteractions, options: UpdateOptions = {}): Promise<UpdateSummary> {
    const extension = extendInteractions(this.requireData('update'), added);
    await this.applyUpdate(extension, options);
    const { interactions, newUsers, newItems, touchedUsers, touchedItems } = extension;
    return { interactions, newUsers, newItems, touchedUsers, touchedItems };
  }

  /** Apply {@link Recommender.update} (models that support it override this; it must call setData with the merged matrix). */
  protected async applyUpdate(_extension: InteractionExtension, _options: UpdateOptions): Promise<void> {
    throw new DendriteError(`${this.name}.update: incremental updates are not supported for this model; refit it on the merged interactions (extendInteractions(model.interactions, added).matrix)`);
  }

  /** Free the model's tensors. */
  abstract dispose(): void;

  /** Attach the training interactions (fit and load call it); clears the cached popularity ranking. */
  protected setData(data: InteractionMatrix): void {
    this.data = data;
    this.popularity = null;
  }

  /** The training interactions, or a clear error naming `op` when the model was never fitted or loaded. */
  protected requireData(op: string): InteractionMatrix {
    if (this.data === null) throw new DendriteError(`${op}: ${this.name} is not fitted (call fit or loadRecommender first)`);
    return this.data;
  }

  /** Interactions per item in the training data: the fallback ranking for unknown users. */
  protected itemPopularity(): Float32Array {
    const data = this.requireData('popularity');
    if (this.popularity === null) {
      // Counted from the users → items entries: building the items → users CSR just for its row lengths would copy every interaction.
      const counts = new Int32Array(data.itemCount);
      for (const item of data.byUser.columns) counts[item]++;
      this.popularity = Float32Array.from(counts);
    }
    return this.popularity;
  }

  /** recommend()'s answer for a user outside the training data (the popularity fallback): what an empty history gets. */
  protected recommendForNewUser(options: RecommendOptions): Promise<Recommendations> {
    const data = this.requireData('recommendForHistory');
    // A raw id no user has (one past the largest), so recommend() takes its unknown-user fallback.
    let largest = 0;
    for (const id of data.userIds.rawIds) largest = Math.max(largest, id);
    return this.recommend(largest + 1, options);
  }

  /**
   * The top items of one score row (`scoreRow` gives [itemCount] or [1, itemCount]) for a user outside the
   * training data, by one topK: the `history` items (dense) are left out unless `excludeSeen` is false,
   * `filterItems` always. The ranking step of every recommendForHistory.
   */
  protected async rankScoreRow(op: string, scoreRow: () => Tensor, history: Int32Array, options: RecommendOptions): Promise<Recommendations> {
    const data = this.requireData(op);
    const count = Math.min(options.count ?? 10, data.itemCount);
    const mask = new Float32Array(data.itemCount);
    if (options.excludeSeen ?? true) for (const item of history) mask[item] = -Infinity;
    for (const rawItem of Array.from(options.filterItems ?? [])) mask[data.itemIndex(rawItem, `${op} (filterItems)`)] = -Infinity;
    const [values, picks] = tidy(() => noGrad(() => {
      const ranked = topK(add(reshape(scoreRow(), [1, data.itemCount]), tensor(mask, [1, data.itemCount])), count);
      return [ranked.values, ranked.indices];
    }));
    const [scoreValues, itemValues] = await Promise.all([values.data(), picks.data()]);
    values.dispose();
    picks.dispose();
    const items = Int32Array.from(itemValues, (item, position) => (scoreValues[position] === -Infinity ? -1 : data.itemIds.rawId(item)));
    return { items, scores: scoreValues as Float32Array, count };
  }

  /** scoreUsers for known users; rows of unknown users (index -1) get item popularity. */
  private scoreBatchWithFallback(users: Int32Array): Tensor {
    const known = users.filter((user) => user >= 0);
    if (known.length === users.length) return this.scoreUsers(users);
    const data = this.requireData('recommend');
    const popularity = tensor(this.itemPopularity(), [1, data.itemCount]);
    const blocks = known.length > 0 ? concat([this.scoreUsers(known), popularity], 0) : popularity;
    let next = 0;
    const rows = Int32Array.from(users, (user) => (user >= 0 ? next++ : known.length));
    return gather(blocks, tensor(rows, [rows.length], 'int32'), 0);
  }

  private async mostSimilar(
    op: string, vectors: Tensor | null, index: number, count: number, ids: IdMap,
  ): Promise<{ items: Int32Array; scores: Float32Array }> {
    if (vectors === null) throw new DendriteError(`${op}: ${this.name} has no ${op === 'similarItems' ? 'item' : 'user'} vectors to compare`);
    const total = vectors.shape[0];
    const wanted = Math.min(count, total - 1);
    if (!Number.isInteger(count) || count < 1) throw new DendriteError(`${op}: count must be a positive integer, got ${count}`);
    const [values, picks] = tidy(() => noGrad(() => {
      const norms = maximum(sqrt(sum(square(vectors), 1, true)), 1e-12);
      const unit = div(vectors, norms);
      const query = gather(unit, tensor([index], [1], 'int32'), 0);
      const ranked = topK(matmul(query, unit, { transposeB: true }), Math.min(wanted + 1, total));
      return [keep(ranked.values), keep(ranked.indices)];
    }));
    const [scoreValues, indexValues] = await Promise.all([values.data(), picks.data()]);
    values.dispose();
    picks.dispose();
    const items: number[] = [];
    const scores: number[] = [];
    for (let position = 0; position < indexValues.length && items.length < wanted; position++) {
      if (indexValues[position] === index) continue;
      items.push(ids.rawId(indexValues[position]));
      scores.push(scoreValues[position]);
    }
    return { items: Int32Array.from(items), scores: Float32Array.from(scores) };
  }
}

/** Dot-product scores: userFactors[users] @ itemFactorsᵀ (+ itemBias), the block every factor model ranks with. */
export function dotProductScores(userFactors: Tensor, itemFactors: Tensor, users: Int32Array, itemBias?: Tensor | null): Tensor {
  return tidy(() => {
    const scores = matmul(gather(userFactors, tensor(users, [users.length], 'int32'), 0), itemFactors, { transposeB: true });
    return itemBias ? add(scores, itemBias) : scores;
  });
}
