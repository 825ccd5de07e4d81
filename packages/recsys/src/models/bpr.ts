import { DendriteError } from '@dendrite/core';
import { SeededRandom } from '@dendrite/datasets';
import { growRows, type InteractionExtension, type UpdateOptions } from '../incremental.js';
import type { InteractionMatrix } from '../interactions.js';
import type { EpochLog, FitOptions, History } from '../recommender.js';
import { FactorModel } from './factor-model.js';
import { checkedNumber, normalFactors } from './initialize.js';

/** Hyper-parameters of {@link BprMf}. */
export interface BprMfOptions {
  /** Latent factors (default 64). */
  factors?: number;
  /** SGD step (default 0.05). */
  learningRate?: number;
  /** L2 on factors and item biases (default 0.005). */
  regularization?: number;
  /** Epochs when fit is not given `epochs` (default 60); an epoch draws as many triples as there are interactions. */
  epochs?: number;
}

/**
 * Bayesian personalised ranking over matrix factorisation (Rendle et al., UAI 2009): SGD on
 * ln σ(x̂ᵤᵢ − x̂ᵤⱼ) for triples of a user, an item they interacted with and one they did not (drawn
 * uniformly), with x̂ᵤᵢ = pᵤ·qᵢ + bᵢ.
 *
 * @example
 * ```ts
 * const bpr = new BprMf({ factors: 64 });
 * await bpr.fit(matrix, { epochs: 60 });
 * ```
 */
export class BprMf extends FactorModel {
  readonly name = 'bpr';
  readonly factors: number;
  readonly learningRate: number;
  readonly regularization: number;
  readonly epochs: number;

  constructor(options: BprMfOptions = {}) {
    super();
    this.factors = checkedNumber('BprMf', 'factors', options.factors ?? 64, { integer: true, minimum: 1 });
    this.learningRate = checkedNumber('BprMf', 'learningRate', options.learningRate ?? 0.05, { exclusiveMinimum: 0 });
    this.regularization = checkedNumber('BprMf', 'regularization', options.regularization ?? 0.005, { minimum: 0 });
    this.epochs = checkedNumber('BprMf', 'epochs', options.epochs ?? 60, { integer: true, minimum: 0 });
  }

  async fit(data: InteractionMatrix, options: FitOptions = {}): Promise<History> {
    if (data.size === 0) throw new DendriteError('BprMf.fit: the interaction matrix is empty');
    this.setData(data);
    const epochs = checkedNumber('BprMf.fit', 'epochs', options.epochs ?? this.epochs, { integer: true, minimum: 0 });
    const random = new SeededRandom(options.seed ?? 1);
    const k = this.factors;
    const users = normalFactors(data.userCount, k, 0.1, random);
    const items = normalFactors(data.itemCount, k, 0.1, random);
    const bias = new Float32Array(data.itemCount);
    const { users: rowUsers, items: rowItems } = data.toColumns();
    const history: History = { epochs: [] };
    for (let epoch = 1; epoch <= epochs; epoch++) {
      const started = performance.now();
      const loss = this.sgdEpoch(data, { users, items, bias }, rowUsers, rowItems, random);
      const log: EpochLog = { epoch, loss: loss / rowUsers.length, seconds: (performance.now() - started) / 1000 };
      history.epochs.push(log);
      this.setFactors(users, items, k, bias);
      if ((await options.onEpoch?.(log)) === false) break;
    }
    if (epochs === 0) this.setFactors(users, items, k, bias);
    return history;
  }

  /**
   * update(): the factor tables grow (new users and items drawn like fit's, N(0, 0.1²), bias 0), then
   * `epochs` (default 20) SGD epochs over the new interactions only, each drawing as many triples as there
   * are new interactions (negatives from the whole catalogue, unseen in the merged data). Users without a
   * new interaction keep their vectors; item vectors drawn as positives or negatives move.
   */
  protected override async applyUpdate(extension: InteractionExtension, options: UpdateOptions): Promise<void> {
    const epochs = checkedNumber('BprMf.update', 'epochs', options.epochs ?? 20, { integer: true, minimum: 0 });
    const random = new SeededRandom(options.seed ?? 1);
    const k = this.factors;
    const fresh = () => normalFactors(1, k, 0.1, random);
    const users = growRows((await this.require(this.userFactors).data()) as Float32Array, k, extension.userSource, fresh);
    const items = growRows((await this.require(this.itemFactors).data()) as Float32Array, k, extension.itemSource, fresh);
    const bias = growRows((await this.require(this.itemBias).data()) as Float32Array, 1, extension.itemSource, () => [0]);
    this.setData(extension.matrix);
    for (let epoch = 0; epoch < epochs; epoch++) this.sgdEpoch(extension.matrix, { users, items, bias }, extension.added.users, extension.added.items, random);
    this.setFactors(users, items, k, bias);
  }

  /** One SGD epoch: `rowUsers.length` triples, each a random row of (rowUsers, rowItems) and a uniform unseen negative. Returns the summed loss. */
  private sgdEpoch(data: InteractionMatrix, factors: { users: Float32Array; items: Float32Array; bias: Float32Array }, rowUsers: Int32Array, rowItems: Int32Array, random: SeededRandom): number {
    const { users, items, bias } = factors;
    const k = this.factors;
    const offsets = data.byUser.offsets;
    const rate = this.learningRate, lambda = this.regularization;
    let loss = 0;
    for (let draw = 0; draw < rowUsers.length; draw++) {
      const row = random.nextInt(rowUsers.length);
      const user = rowUsers[row], positive = rowItems[row];
      // A user who interacted with every item has no negative (offsets, not itemsOf: no view allocated per draw).
      if (offsets[user + 1] - offsets[user] >= data.itemCount) continue;
      let negative = random.nextInt(data.itemCount);
      while (data.has(user, negative)) negative = random.nextInt(data.itemCount);
      const pu = user * k, qi = positive * k, qj = negative * k;
      let difference = bias[positive] - bias[negative];
      for (let f = 0; f < k; f++) difference += users[pu + f] * (items[qi + f] - items[qj + f]);
      // d/dx ln σ(x) = σ(−x); the loss reported is −ln σ(x), computed stably.
      const weight = 1 / (1 + Math.exp(difference));
      loss += difference > 0 ? Math.log1p(Math.exp(-difference)) : -difference + Math.log1p(Math.exp(difference));
      bias[positive] += rate * (weight - lambda * bias[positive]);
      bias[negative] += rate * (-weight - lambda * bias[negative]);
      for (let f = 0; f < k; f++) {
        const p = users[pu + f], qPositive = items[qi + f], qNegative = items[qj + f];
        users[pu + f] += rate * (weight * (qPositive - qNegative) - lambda * p);
        items[qi + f] += rate * (weight * p - lambda * qPositive);
        items[qj + f] += rate * (-weight * p - lambda * qNegative);
      }
    }
    return loss;
  }

  protected hyperparameters(): Record<string, unknown> {
    return { factors: this.factors, learningRate: this.learningRate, regularization: this.regularization, epochs: this.epochs };
  }
}
