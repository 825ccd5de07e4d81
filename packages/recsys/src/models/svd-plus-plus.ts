import type { SeededRandom } from '@dendrite/datasets';
import type { InteractionMatrix } from '../interactions.js';
import { ExplicitFactorModel, type BiasedMfOptions } from './biased-mf.js';
import { normalFactors } from './initialize.js';

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

  constructor(options: BiasedMfOptions = {}) {
    super('SvdPlusPlus', { factors: 50, learningRate: 0.007, ...options });
  }

  protected override initialState(data: InteractionMatrix, random: SeededRandom): Float32Array {
    return normalFactors(data.itemCount, this.factors, this.initialDeviation, random);
  }

  protected epoch(data: InteractionMatrix, userFactors: Float32Array, itemFactors: Float32Array, implicit: Float32Array, random: SeededRandom): number {
    const k = this.factors;
    const rate = this.rate;
    const sum = new Float32Array(k);
    const gradient = new Float32Array(k);
    let squaredError = 0;
    for (const user of random.permutation(data.userCount)) {
      const items = data.itemsOf(user);
      const ratings = data.valuesOf(user);
      if (items.length === 0) continue;
      const norm = 1 / Math.sqrt(items.length);
      this.implicitSum(items, implicit, norm, sum);
      gradient.fill(0);
      const pu = user * k;
      for (const position of random.permutation(items.length)) {
        const item = items[position];
        const qi = item * k;
        let dot = 0;
        for (let f = 0; f < k; f++) dot += itemFactors[qi + f] * (userFactors[pu + f] + sum[f]);
        const error = ratings[position] - (this.globalMean + this.userBias[user] + this.itemBiasValues[item] + dot);
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
      // One update of each yⱼ for the user's whole pass, with one L2 pull per pass (not one per
      // rating as the per-rating form would give: that would shrink yⱼ |R(u)| times harder).
      for (const item of items) {
        const yj = item * k;
        for (let f = 0; f < k; f++) implicit[yj + f] += rate * (norm * gradient[f] - this.itemRegularization * implicit[yj + f]);
      }
    }
    return squaredError / data.size;
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
