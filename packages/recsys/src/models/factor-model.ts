import { DendriteError, keep, tensor, type DecodedHostTensor, type HostTensor, type Tensor } from '@dendrite/core';
import { Recommender, dotProductScores } from '../recommender.js';

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

  protected require(value: Tensor | null): Tensor {
    if (value === null) throw new DendriteError(`${this.name} is not fitted (call fit or loadRecommender first)`);
    return value;
  }
}
