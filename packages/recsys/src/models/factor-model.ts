import { DendriteError, add, keep, matmul, tensor, type DecodedHostTensor, type HostTensor, type Tensor } from '@dendrite/core';
import { Recommender, dotProductScores, type RecommendOptions, type Recommendations } from '../recommender.js';
import { solveSymmetric } from './solve.js';

/** A new user's interactions, in raw item ids (values: ratings or strengths, default 1). */
export interface UserHistory {
  items: ArrayLike<number>;
  ratings?: ArrayLike<number>;
}

/**
 * A recommender whose scores are a dot product: userFactors [users, k] · itemFactors [items, k]ᵀ
 * (+ an item bias). Ranking a batch of users is one matmul and one topK; similarity uses the factors.
 */
export abstract class FactorModel extends Recommender {
  protected userFactors: Tensor | null = null;
  protected itemFactors: Tensor | null = null;
  protected itemBias: Tensor | null = null;

  protected scoreUsers(users: Int32Array): Tensor {
    return dotProductScores(this.require(this.userFactors), this.require(this.itemFactors), users, this.itemBias);
  }

  /**
   * Recommend for a user the model has never seen, from a handful of interactions, without retraining:
   * the user's vector is solved against the fixed item factors (weighted least squares, as one ALS
   * half-step for that user), then ranked like any other. An empty history gets the popularity ranking.
   *
   * @example
   * ```ts
   * const top = await als.recommendForHistory({ items: [50, 172, 181] }, { count: 10 }); // Star Wars fans
   * ```
   */
  async recommendForHistory(history: UserHistory, options: RecommendOptions = {}): Promise<Recommendations> {
    const data = this.requireData('recommendForHistory');
    const indices = Int32Array.from(Array.from(history.items), (rawItem) => data.itemIndex(rawItem, 'recommendForHistory'));
    const values = Float32Array.from(history.ratings ? Array.from(history.ratings) : Array.from(indices, () => 1));
    if (values.length !== indices.length) throw new DendriteError(`recommendForHistory: ${indices.length} items but ${values.length} ratings`);
    values.forEach((value, position) => {
      if (!Number.isFinite(value)) throw new DendriteError(`recommendForHistory: rating ${value} at position ${position} is not a finite number`);
    });
    if (indices.length === 0) return this.recommendForNewUser(options);
    const itemFactors = this.require(this.itemFactors);
    const width = itemFactors.shape[1];
    const vector = this.foldIn(indices, values, (await itemFactors.data()) as Float32Array, width);
    return this.rankScoreRow('recommendForHistory', () => {
      const row = matmul(tensor(vector, [1, width]), itemFactors, { transposeB: true });
      return this.itemBias ? add(row, this.itemBias) : row;
    }, indices, options);
  }

  /**
   * The new user's vector: minimise Σᵢ cᵢ (1 − x·yᵢ)² + λ‖x‖² over all items (unobserved ones with
   * c = 1 and target 0, observed with c = 1 + α·value and target 1), i.e. (YᵀY + Σ (cᵢ−1) yᵢyᵢᵀ + λI) x = Σ cᵢ yᵢ.
   */
  protected foldIn(indices: Int32Array, values: Float32Array, items: Float32Array, width: number): Float32Array {
    const { alpha, regularization } = this.foldInWeights();
    const matrix = new Float64Array(width * width);
    const right = new Float64Array(width);
    const itemCount = items.length / width;
    for (let item = 0; item < itemCount; item++) {
      const base = item * width;
      for (let a = 0; a < width; a++) for (let b = 0; b <= a; b++) matrix[a * width + b] += items[base + a] * items[base + b];
    }
    indices.forEach((item, position) => {
      const confidence = 1 + alpha * Math.max(values[position], 0);
      const base = item * width;
      for (let a = 0; a < width; a++) {
        right[a] += confidence * items[base + a];
        for (let b = 0; b <= a; b++) matrix[a * width + b] += (confidence - 1) * items[base + a] * items[base + b];
      }
    });
    for (let a = 0; a < width; a++) {
      matrix[a * width + a] += regularization;
      for (let b = 0; b < a; b++) matrix[b * width + a] = matrix[a * width + b];
    }
    return Float32Array.from(solveSymmetric(matrix, right, width));
  }

  /** Confidence slope and L2 of {@link FactorModel.foldIn} (ALS passes its own; others a default). */
  protected foldInWeights(): { alpha: number; regularization: number } {
    return { alpha: 10, regularization: 0.1 };
  }

  protected override itemVectors(): Tensor | null {
    return this.itemFactors;
  }

  protected override userVectors(): Tensor | null {
    return this.userFactors;
  }

  /** Replace the learned factors (host arrays, row-major) with new tensors, disposing the old ones. */
  protected setFactors(userFactors: Float32Array, itemFactors: Float32Array, factors: number, itemBias?: Float32Array): void {
    const data = this.requireData('setFactors');
    this.disposeFactors();
    this.userFactors = keep(tensor(userFactors, [data.userCount, factors]));
    this.itemFactors = keep(tensor(itemFactors, [data.itemCount, factors]));
    this.itemBias = itemBias ? keep(tensor(itemBias, [data.itemCount])) : null;
  }

  protected async weightTensors(): Promise<Record<string, HostTensor>> {
    const weights: Record<string, HostTensor> = {};
    const add = async (name: string, value: Tensor | null) => {
      if (value) weights[name] = { dtype: 'float32', shape: [...value.shape], data: (await value.data()) as Float32Array };
    };
    await add('userFactors', this.userFactors);
    await add('itemFactors', this.itemFactors);
    await add('itemBias', this.itemBias);
    return weights;
  }

  protected restoreWeights(weights: Record<string, DecodedHostTensor>): void {
    const data = this.requireData('load');
    const read = (name: string, rows: number): DecodedHostTensor => {
      const found = weights[name];
      if (!found || found.shape[0] !== rows) throw new DendriteError(`loadRecommender: ${this.name} needs tensor '${name}' with ${rows} rows`);
      return found;
    };
    const users = read('userFactors', data.userCount);
    const items = read('itemFactors', data.itemCount);
    const bias = weights.itemBias ? read('itemBias', data.itemCount) : undefined;
    this.setFactors(Float32Array.from(users.data), Float32Array.from(items.data), users.shape[1], bias ? Float32Array.from(bias.data) : undefined);
  }

  dispose(): void {
    this.disposeFactors();
  }

  private disposeFactors(): void {
    this.userFactors?.dispose();
    this.itemFactors?.dispose();
    this.itemBias?.dispose();
    this.userFactors = this.itemFactors = this.itemBias = null;
  }

  /** A factor tensor, or a clear error when the model was never fitted or loaded. */
  protected require(value: Tensor | null): Tensor {
    if (value === null) throw new DendriteError(`${this.name} is not fitted (call fit or loadRecommender first)`);
    return value;
  }
}
