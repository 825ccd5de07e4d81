import { DendriteError, type DecodedHostTensor, type HostTensor } from '@dendrite/core';
import { SeededRandom } from '@dendrite/datasets';
import { growRows, type InteractionExtension, type UpdateOptions } from '../incremental.js';
import type { InteractionMatrix } from '../interactions.js';
import { ExplicitFactorModel, type BiasedMfOptions } from './biased-mf.js';
import { checkedNumber, normalFactors } from './initialize.js';

/**
 * SVD++ (Koren, KDD 2008): biased MF whose user vector adds the implicit feedback of what the user
 * rated, pᵤ + |N(u)|^-½ Σ_{j∈N(u)} yⱼ. SGD walks users in random order and their ratings in random
 * order; the implicit term is computed once per user and its yⱼ updated once per user from the
 * accumulated gradient (the usual fast form: O(|R(u)|·k) per user instead of O(|R(u)|²·k)).
 *
 * @example
 * ```ts
 * const svdpp = new SvdPlusPlus({ factors: 50 });
 * await svdpp.fit(matrix);
 * await svdpp.predict([196], [242]);
 * ```
 */
export class SvdPlusPlus extends ExplicitFactorModel {
  readonly name = 'svdpp';
  /** The implicit factors yⱼ [items, k] of the last fit or update (saved, so a loaded model can update); null before. */
  private implicitValues: Float32Array | null = null;

  constructor(options: BiasedMfOptions = {}) {
    super('SvdPlusPlus', { factors: 50, learningRate: 0.007, ...options });
  }

  protected override initialState(data: InteractionMatrix, random: SeededRandom): Float32Array {
    return normalFactors(data.itemCount, this.factors, this.initialDeviation, random);
  }

  protected epoch(data: InteractionMatrix, userFactors: Float32Array, itemFactors: Float32Array, implicit: Float32Array, random: SeededRandom): number {
    let squaredError = 0;
    for (const user of random.permutation(data.userCount)) {
      const items = data.itemsOf(user);
      if (items.length === 0) continue;
      squaredError += this.userPass(data, user, items, data.valuesOf(user), userFactors, itemFactors, implicit, () => true, random);
    }
    return squaredError / data.size;
  }

  protected override publish(data: InteractionMatrix, userFactors: Float32Array, itemFactors: Float32Array, state: Float32Array): void {
    super.publish(data, userFactors, itemFactors, state);
    this.implicitValues = state;
  }

  /**
   * update(): pᵤ is recovered from each published user vector (pᵤ + |N(u)|^-½ Σ yⱼ, less the implicit
   * term), the tables grow (new users' and items' pᵤ, qᵢ and yⱼ drawn like fit's, biases 0; μ and the
   * scale kept), then `epochs` (default 20) SGD passes over the touched users, each over that user's new
   * ratings only with N(u) the merged set (old and new items). pᵤ, bᵤ, qᵢ and bᵢ move as in biased MF's
   * update; of the yⱼ only the new items' move (an old item's yⱼ is in every old rater's vector), so a
   * user without a new rating keeps every prediction of an item without one. Needs `values` (ratings),
   * and a model fitted (or saved) with this version, which keeps the yⱼ.
   */
  protected override async applyUpdate(extension: InteractionExtension, options: UpdateOptions): Promise<void> {
    if (!extension.valuesGiven) throw new DendriteError('svdpp.update: a rating model needs the new ratings (values)');
    const implicit = this.implicitValues;
    if (!implicit) throw new DendriteError('svdpp.update: this model has no implicit factors yⱼ (it was loaded from a save that predates svdpp.update); refit it on the merged interactions');
    const epochs = checkedNumber('SvdPlusPlus.update', 'epochs', options.epochs ?? 20, { integer: true, minimum: 0 });
    const random = new SeededRandom(options.seed ?? 1);
    const old = this.requireData('update');
    const k = this.factors;
    const width = k + 2;
    const publishedUsers = (await this.require(this.userFactors).data()) as Float32Array;
    const publishedItems = (await this.require(this.itemFactors).data()) as Float32Array;
    // pᵤ = published vector − |N(u)|^-½ Σ yⱼ over the old N(u).
    const plainUsers = new Float32Array(old.userCount * k);
    const sum = new Float32Array(k);
    for (let user = 0; user < old.userCount; user++) {
      const items = old.itemsOf(user);
      if (items.length > 0) this.implicitSum(items, implicit, 1 / Math.sqrt(items.length), sum);
      else sum.fill(0);
      for (let f = 0; f < k; f++) plainUsers[user * k + f] = publishedUsers[user * width + f] - sum[f];
    }
    const plainItems = Float32Array.from({ length: old.itemCount * k }, (_, index) => publishedItems[Math.floor(index / k) * width + (index % k)]);
    const fresh = () => normalFactors(1, k, this.initialDeviation, random);
    const userFactors = growRows(plainUsers, k, extension.userSource, fresh);
    const itemFactors = growRows(plainItems, k, extension.itemSource, fresh);
    const grownImplicit = growRows(implicit, k, extension.itemSource, fresh);
    this.userBias = growRows(this.userBias, 1, extension.userSource, () => [0]);
    this.itemBiasValues = growRows(this.itemBiasValues, 1, extension.itemSource, () => [0]);
    const data = extension.matrix;
    // Each touched user's new ratings (a pair given twice keeps the later rating, as the merged matrix does).
    const newRatings = new Map<number, Map<number, number>>();
    extension.added.users.forEach((user, row) => {
      if (!newRatings.has(user)) newRatings.set(user, new Map());
      newRatings.get(user)!.set(extension.added.items[row], extension.added.values[row]);
    });
    this.setData(data);
    this.rate = this.learningRate;
    for (let epoch = 0; epoch < epochs; epoch++) {
      for (const position of random.permutation(extension.touchedUsers.length)) {
        const user = extension.touchedUsers[position];
        const ratings = newRatings.get(user)!;
        this.userPass(data, user, Int32Array.from(ratings.keys()), Float32Array.from(ratings.values()), userFactors, itemFactors, grownImplicit, (item) => extension.itemSource[item] < 0, random);
      }
    }
    this.publish(data, userFactors, itemFactors, grownImplicit);
  }

  /**
   * One user's SGD pass over the ratings `values` of `rated` items, in random order, with N(u) = the
   * user's items in `data` (the implicit term computed once). Then one update of each yⱼ of N(u) for which
   * `movesImplicit(j)` holds, from the accumulated gradient, with one L2 pull per pass (not one per rating
   * as the per-rating form would give: that would shrink yⱼ |R(u)| times harder). Returns the summed squared error.
   */
  private userPass(
    data: InteractionMatrix, user: number, rated: Int32Array, values: ArrayLike<number>, userFactors: Float32Array, itemFactors: Float32Array, implicit: Float32Array,
    movesImplicit: (item: number) => boolean, random: SeededRandom,
  ): number {
    const k = this.factors;
    const rate = this.rate;
    const items = data.itemsOf(user);
    const norm = 1 / Math.sqrt(items.length);
    const sum = new Float32Array(k);
    const gradient = new Float32Array(k);
    this.implicitSum(items, implicit, norm, sum);
    const pu = user * k;
    let squaredError = 0;
    for (const position of random.permutation(rated.length)) {
      const item = rated[position], rating = values[position];
      const qi = item * k;
      let dot = 0;
      for (let f = 0; f < k; f++) dot += itemFactors[qi + f] * (userFactors[pu + f] + sum[f]);
      const error = rating - (this.globalMean + this.userBias[user] + this.itemBiasValues[item] + dot);
      squaredError += error * error;
      this.userBias[user] += rate * (error - this.biasRegularization * this.userBias[user]);
      this.itemBiasValues[item] += rate * (error - this.biasRegularization * this.itemBiasValues[item]);
      for (let f = 0; f < k; f++) {
        const p = userFactors[pu + f], q = itemFactors[qi + f];
        gradient[f] += error * q;
        userFactors[pu + f] += rate * (error * q - this.userRegularization * p);
        itemFactors[qi + f] += rate * (error * (p + sum[f]) - this.itemRegularization * q);
      }
    }
    for (const item of items) {
      if (!movesImplicit(item)) continue;
      const yj = item * k;
      for (let f = 0; f < k; f++) implicit[yj + f] += rate * (norm * gradient[f] - this.itemRegularization * implicit[yj + f]);
    }
    return squaredError;
  }

  protected override async weightTensors(): Promise<Record<string, HostTensor>> {
    const weights = await super.weightTensors();
    if (this.implicitValues) weights.implicitFactors = { dtype: 'float32', shape: [this.implicitValues.length / this.factors, this.factors], data: this.implicitValues };
    return weights;
  }

  protected override restoreWeights(weights: Record<string, DecodedHostTensor>): void {
    super.restoreWeights(weights);
    const implicit = weights.implicitFactors;
    const items = this.requireData('load').itemCount;
    // Saves from before svdpp.update lack yⱼ: such a model predicts and ranks, only update refuses.
    if (implicit && (implicit.shape[0] !== items || implicit.shape[1] !== this.factors)) {
      throw new DendriteError(`loadRecommender: svdpp needs tensor 'implicitFactors' of shape [${items}, ${this.factors}], got [${implicit.shape.join(', ')}]`);
    }
    this.implicitValues = implicit ? Float32Array.from(implicit.data) : null;
  }

  protected override effectiveUser(data: InteractionMatrix, user: number, userFactors: Float32Array, implicit: Float32Array, target: Float32Array): void {
    const items = data.itemsOf(user);
    const k = this.factors;
    target.fill(0);
    if (items.length > 0) this.implicitSum(items, implicit, 1 / Math.sqrt(items.length), target);
    for (let f = 0; f < k; f++) target[f] += userFactors[user * k + f];
  }

  private implicitSum(items: Int32Array, implicit: Float32Array, norm: number, target: Float32Array): void {
    const k = this.factors;
    target.fill(0);
    for (const item of items) for (let f = 0; f < k; f++) target[f] += implicit[item * k + f];
    for (let f = 0; f < k; f++) target[f] *= norm;
  }
}
