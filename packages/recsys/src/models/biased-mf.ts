import { DendriteError, type DecodedHostTensor, type HostTensor } from '@dendrite/core';
import { SeededRandom } from '@dendrite/datasets';
import { growRows, type InteractionExtension, type UpdateOptions } from '../incremental.js';
import { InteractionMatrix } from '../interactions.js';
import type { EpochLog, FitOptions, History } from '../recommender.js';
import { FactorModel } from './factor-model.js';
import { checkedNumber, normalFactors } from './initialize.js';
import { solveSymmetric } from './solve.js';

/** Predicted ratings for models of explicit feedback (Surprise's `predict`). */
export interface RatingPredictor {
  /**
   * Predicted ratings for (raw user, raw item) pairs, clipped to the training rating scale. Unknown
   * users or items fall back to the global mean plus the known side's bias.
   */
  predict(users: ArrayLike<number>, items: ArrayLike<number>): Promise<Float32Array>;
}

/** Hyper-parameters of {@link BiasedMf} and {@link SvdPlusPlus}. */
export interface BiasedMfOptions {
  /** Latent factors (default 100). */
  factors?: number;
  /** SGD step (default 0.01). */
  learningRate?: number;
  /** L2 on user and item biases (default 0.02). */
  biasRegularization?: number;
  /** L2 on user factors (default 0.08). */
  userRegularization?: number;
  /** L2 on item factors (default 0.08). */
  itemRegularization?: number;
  /** Epochs when fit is not given `epochs` (default 40). */
  epochs?: number;
  /** The SGD step is multiplied by this after every epoch (default 1: constant, as Surprise). */
  learningRateDecay?: number;
  /** Standard deviation of the initial factors (default 0.1). */
  initialDeviation?: number;
  /** Rating scale for clipping (default: the training data's minimum and maximum). */
  ratingScale?: [number, number];
}

/**
 * Explicit-feedback state both SGD models share: the global mean, biases, factors and scale. After fit
 * the ranking factors are [pᵤ, 1, μ + bᵤ] · [qᵢ, bᵢ, 1], so a dot product is the full prediction.
 */
export abstract class ExplicitFactorModel extends FactorModel implements RatingPredictor {
  readonly factors: number;
  readonly learningRate: number;
  readonly biasRegularization: number;
  readonly userRegularization: number;
  readonly itemRegularization: number;
  readonly epochs: number;
  readonly initialDeviation: number;
  readonly learningRateDecay: number;
  /** This epoch's SGD step (learningRate · decay^(epoch − 1)). */
  protected rate = 0;
  protected globalMean = 0;
  protected scale: [number, number] = [-Infinity, Infinity];
  protected userBias = new Float32Array(0);
  protected itemBiasValues = new Float32Array(0);

  constructor(model: string, options: BiasedMfOptions) {
    super();
    this.factors = checkedNumber(model, 'factors', options.factors ?? 100, { integer: true, minimum: 1 });
    this.learningRate = checkedNumber(model, 'learningRate', options.learningRate ?? 0.01, { exclusiveMinimum: 0 });
    this.biasRegularization = checkedNumber(model, 'biasRegularization', options.biasRegularization ?? 0.02, { minimum: 0 });
    this.userRegularization = checkedNumber(model, 'userRegularization', options.userRegularization ?? 0.08, { minimum: 0 });
    this.itemRegularization = checkedNumber(model, 'itemRegularization', options.itemRegularization ?? 0.08, { minimum: 0 });
    this.epochs = checkedNumber(model, 'epochs', options.epochs ?? 40, { integer: true, minimum: 0 });
    this.initialDeviation = checkedNumber(model, 'initialDeviation', options.initialDeviation ?? 0.1, { minimum: 0 });
    this.learningRateDecay = checkedNumber(model, 'learningRateDecay', options.learningRateDecay ?? 1, { exclusiveMinimum: 0 });
    if (options.ratingScale) this.scale = [options.ratingScale[0], options.ratingScale[1]];
  }

  async fit(data: InteractionMatrix, options: FitOptions = {}): Promise<History> {
    if (data.size === 0) throw new DendriteError(`${this.name}.fit: the interaction matrix is empty`);
    this.setData(data);
    const epochs = checkedNumber(`${this.name}.fit`, 'epochs', options.epochs ?? this.epochs, { integer: true, minimum: 0 });
    const random = new SeededRandom(options.seed ?? 1);
    const k = this.factors;
    const values = data.byUser.values;
    let sum = 0, low = Infinity, high = -Infinity;
    for (const value of values) {
      sum += value;
      low = Math.min(low, value);
      high = Math.max(high, value);
    }
    this.globalMean = sum / values.length;
    if (!Number.isFinite(this.scale[0])) this.scale = [low, high];
    this.userBias = new Float32Array(data.userCount);
    this.itemBiasValues = new Float32Array(data.itemCount);
    const userFactors = normalFactors(data.userCount, k, this.initialDeviation, random);
    const itemFactors = normalFactors(data.itemCount, k, this.initialDeviation, random);
    const state = this.initialState(data, random);
    const history: History = { epochs: [] };
    for (let epoch = 1; epoch <= epochs; epoch++) {
      const started = performance.now();
      this.rate = this.learningRate * this.learningRateDecay ** (epoch - 1);
      const loss = this.epoch(data, userFactors, itemFactors, state, random);
      const log: EpochLog = { epoch, loss, seconds: (performance.now() - started) / 1000 };
      history.epochs.push(log);
      this.publish(data, userFactors, itemFactors, state);
      if ((await options.onEpoch?.(log)) === false) break;
    }
    if (epochs === 0) this.publish(data, userFactors, itemFactors, state);
    return history;
  }

  /** Model-specific training state (SVD++'s implicit factors); none for biased MF. */
  protected initialState(_data: InteractionMatrix, _random: SeededRandom): Float32Array {
    return new Float32Array(0);
  }

  /** One SGD pass; returns the mean squared training error seen during the pass. */
  protected abstract epoch(data: InteractionMatrix, userFactors: Float32Array, itemFactors: Float32Array, state: Float32Array, random: SeededRandom): number;

  /** The effective user vector of `user` (pᵤ for biased MF) into `target`. */
  protected effectiveUser(_data: InteractionMatrix, user: number, userFactors: Float32Array, _state: Float32Array, target: Float32Array): void {
    target.set(userFactors.subarray(user * this.factors, (user + 1) * this.factors));
  }

  /** Build the ranking factors [pᵤ, 1, μ + bᵤ] and [qᵢ, bᵢ, 1] from the SGD state. */
  protected publish(data: InteractionMatrix, userFactors: Float32Array, itemFactors: Float32Array, state: Float32Array): void {
    const k = this.factors;
    const width = k + 2;
    const users = new Float32Array(data.userCount * width);
    const items = new Float32Array(data.itemCount * width);
    const vector = new Float32Array(k);
    for (let user = 0; user < data.userCount; user++) {
      this.effectiveUser(data, user, userFactors, state, vector);
      users.set(vector, user * width);
      users[user * width + k] = 1;
      users[user * width + k + 1] = this.globalMean + this.userBias[user];
    }
    for (let item = 0; item < data.itemCount; item++) {
      items.set(itemFactors.subarray(item * k, (item + 1) * k), item * width);
      items[item * width + k] = this.itemBiasValues[item];
      items[item * width + k + 1] = 1;
    }
    this.setFactors(users, items, width);
  }

  async predict(users: ArrayLike<number>, items: ArrayLike<number>): Promise<Float32Array> {
    const data = this.requireData('predict');
    if (users.length !== items.length) throw new DendriteError(`predict: ${users.length} users but ${items.length} items`);
    const userIndices = Int32Array.from(Array.from(users), (rawUser, row) => {
      if (!Number.isFinite(rawUser)) throw new DendriteError(`predict: user id ${rawUser} at position ${row} is not a number`);
      return data.userIndex(rawUser);
    });
    const itemIndices = Int32Array.from(Array.from(items), (rawItem, row) => {
      if (!Number.isFinite(rawItem)) throw new DendriteError(`predict: item id ${rawItem} at position ${row} is not a number`);
      return data.itemIds.index(rawItem);
    });
    const known = userIndices.map((user, row) => (user >= 0 && itemIndices[row] >= 0 ? 1 : 0));
    const pairs = known.reduce((total, flag) => total + flag, 0);
    const knownUsers = new Int32Array(pairs), knownItems = new Int32Array(pairs);
    for (let row = 0, next = 0; row < known.length; row++) {
      if (known[row]) { knownUsers[next] = userIndices[row]; knownItems[next++] = itemIndices[row]; }
    }
    const scored = pairs > 0 ? await this.scorePairs(knownUsers, knownItems) : new Float32Array(0);
    const [low, high] = this.scale;
    const result = new Float32Array(userIndices.length);
    for (let row = 0, next = 0; row < result.length; row++) {
      const user = userIndices[row], item = itemIndices[row];
      // Fallbacks: the global mean plus whichever bias is known.
      const value = known[row] ? scored[next++] : this.globalMean + (user >= 0 ? this.userBias[user] : 0) + (item >= 0 ? this.itemBiasValues[item] : 0);
      result[row] = Math.min(high, Math.max(low, value));
    }
    return result;
  }

  /**
   * Fold-in for ratings: pᵤ minimising Σᵢ (rᵢ − μ − bᵢ − pᵤ·qᵢ)² + λ·n‖pᵤ‖² over the given ratings (bᵤ = 0),
   * returned as the ranking vector [pᵤ, 1, μ].
   */
  protected override foldIn(indices: Int32Array, values: Float32Array, items: Float32Array, width: number): Float32Array {
    const k = this.factors;
    const matrix = new Float64Array(k * k);
    const right = new Float64Array(k);
    indices.forEach((item, position) => {
      const base = item * width;
      const residual = values[position] - this.globalMean - items[base + k];
      for (let a = 0; a < k; a++) {
        right[a] += residual * items[base + a];
        for (let b = 0; b < k; b++) matrix[a * k + b] += items[base + a] * items[base + b];
      }
    });
    for (let a = 0; a < k; a++) matrix[a * k + a] += this.userRegularization * Math.max(indices.length, 1);
    const vector = new Float32Array(width);
    vector.set(solveSymmetric(matrix, right, k));
    vector[k] = 1;
    vector[k + 1] = this.globalMean;
    return vector;
  }

  protected override async weightTensors(): Promise<Record<string, HostTensor>> {
    return {
      ...(await super.weightTensors()),
      userBias: { dtype: 'float32', shape: [this.userBias.length], data: this.userBias },
      itemBiasValues: { dtype: 'float32', shape: [this.itemBiasValues.length], data: this.itemBiasValues },
      globalMeanAndScale: { dtype: 'float32', shape: [3], data: Float32Array.of(this.globalMean, this.scale[0], this.scale[1]) },
    };
  }

  protected override restoreWeights(weights: Record<string, DecodedHostTensor>): void {
    super.restoreWeights(weights);
    const need = (name: string) => {
      if (!weights[name]) throw new DendriteError(`loadRecommender: ${this.name} needs tensor '${name}'`);
      return Float32Array.from(weights[name].data);
    };
    this.userBias = need('userBias');
    this.itemBiasValues = need('itemBiasValues');
    const [mean, low, high] = need('globalMeanAndScale');
    this.globalMean = mean;
    this.scale = [low, high];
  }

  protected hyperparameters(): Record<string, unknown> {
    return {
      factors: this.factors, learningRate: this.learningRate, biasRegularization: this.biasRegularization,
      userRegularization: this.userRegularization, itemRegularization: this.itemRegularization, epochs: this.epochs,
      initialDeviation: this.initialDeviation, learningRateDecay: this.learningRateDecay, ratingScale: this.scale,
    };
  }
}

/**
 * Biased matrix factorisation for explicit ratings (Koren, Bell & Volinsky 2009; Surprise's SVD):
 * r̂ = μ + bᵤ + bᵢ + pᵤ·qᵢ, fitted by SGD over shuffled ratings with separate L2 weights for biases,
 * user and item factors; predictions are clipped to the rating scale.
 *
 * @example
 * ```ts
 * const mf = new BiasedMf({ factors: 100 });
 * await mf.fit(InteractionMatrix.fromRatings(train, ids));
 * await mf.predict([196], [242]); // Float32Array [~3.9]
 * ```
 */
export class BiasedMf extends ExplicitFactorModel {
  readonly name = 'mf';

  constructor(options: BiasedMfOptions = {}) {
    super('BiasedMf', options);
  }

  protected epoch(data: InteractionMatrix, userFactors: Float32Array, itemFactors: Float32Array, _state: Float32Array, random: SeededRandom): number {
    const { users, items, ratings } = this.columns(data);
    const k = this.factors;
    const rate = this.rate;
    const order = random.permutation(users.length);
    let squaredError = 0;
    for (const row of order) {
      const user = users[row], item = items[row];
      const pu = user * k, qi = item * k;
      let dot = 0;
      for (let f = 0; f < k; f++) dot += userFactors[pu + f] * itemFactors[qi + f];
      const error = ratings[row] - (this.globalMean + this.userBias[user] + this.itemBiasValues[item] + dot);
      squaredError += error * error;
      this.userBias[user] += rate * (error - this.biasRegularization * this.userBias[user]);
      this.itemBiasValues[item] += rate * (error - this.biasRegularization * this.itemBiasValues[item]);
      for (let f = 0; f < k; f++) {
        const p = userFactors[pu + f], q = itemFactors[qi + f];
        userFactors[pu + f] += rate * (error * q - this.userRegularization * p);
        itemFactors[qi + f] += rate * (error * p - this.itemRegularization * q);
      }
    }
    return squaredError / users.length;
  }

  /**
   * update(): the factor and bias tables grow (new users' and items' factors drawn like fit's, biases 0;
   * μ and the rating scale stay), then `epochs` (default 20) SGD epochs at the base learning rate over the new
   * ratings only. Users and items without a new rating keep their factors and biases. Needs `values` (ratings).
   */
  protected override async applyUpdate(extension: InteractionExtension, options: UpdateOptions): Promise<void> {
    if (!extension.valuesGiven) throw new DendriteError('mf.update: a rating model needs the new ratings (values)');
    const epochs = checkedNumber('BiasedMf.update', 'epochs', options.epochs ?? 20, { integer: true, minimum: 0 });
    const random = new SeededRandom(options.seed ?? 1);
    const k = this.factors;
    // The published rows are [pᵤ, 1, μ + bᵤ] and [qᵢ, bᵢ, 1]: pᵤ and qᵢ are their first k columns.
    const factorsOf = async (published: Float32Array | null, source: Int32Array) => {
      const rows = published!.length / (k + 2);
      const plain = Float32Array.from({ length: rows * k }, (_, index) => published![Math.floor(index / k) * (k + 2) + (index % k)]);
      return growRows(plain, k, source, () => normalFactors(1, k, this.initialDeviation, random));
    };
    const userFactors = await factorsOf((await this.require(this.userFactors).data()) as Float32Array, extension.userSource);
    const itemFactors = await factorsOf((await this.require(this.itemFactors).data()) as Float32Array, extension.itemSource);
    this.userBias = growRows(this.userBias, 1, extension.userSource, () => [0]);
    this.itemBiasValues = growRows(this.itemBiasValues, 1, extension.itemSource, () => [0]);
    const data = extension.matrix;
    const added = InteractionMatrix.fromRatings({ users: extension.added.users, items: extension.added.items, ratings: extension.added.values }, { userIds: data.userIds, itemIds: data.itemIds });
    this.setData(data);
    this.rate = this.learningRate;
    for (let epoch = 0; epoch < epochs; epoch++) this.epoch(added, userFactors, itemFactors, new Float32Array(0), random);
    this.publish(data, userFactors, itemFactors, new Float32Array(0));
  }

  private cached: { users: Int32Array; items: Int32Array; ratings: Float32Array } | null = null;
  private cachedFor: InteractionMatrix | null = null;

  private columns(data: InteractionMatrix) {
    if (this.cachedFor !== data) {
      this.cached = data.toColumns();
      this.cachedFor = data;
    }
    return this.cached!;
  }
}
