import { DendriteError, keep, matmul, tensor, tidy, transpose, type DecodedHostTensor, type HostTensor, type Tensor } from '@dendrite/core';
import type { InteractionExtension } from '../incremental.js';
import type { InteractionMatrix } from '../interactions.js';
import { Recommender, type FitOptions, type History } from '../recommender.js';
import { checkedNumber } from './initialize.js';

/** Hyper-parameters of {@link ItemKnn}. */
export interface ItemKnnOptions {
  /** Neighbours kept per item (default 100). */
  neighbours?: number;
  /** Shrinkage added to the cosine denominator, damping similarities of rarely co-rated items (default 10). */
  shrinkage?: number;
}

/**
 * Item-based k-nearest neighbours (Sarwar et al. 2001, Deshpande & Karypis 2004) on binary
 * interactions: sim(i, j) = |Uᵢ ∩ Uⱼ| / (√|Uᵢ|·√|Uⱼ| + shrinkage), each item keeping its `neighbours`
 * most similar; a user's score for i sums the similarities from the items they interacted with.
 * Co-occurrence is one matmul (Rᵀ R), scoring another (R_batch · S).
 *
 * @example
 * ```ts
 * const knn = new ItemKnn({ neighbours: 100, shrinkage: 10 });
 * await knn.fit(matrix);
 * await knn.similarItems(50, 5); // raw ids of the five items most co-rated with Star Wars
 * ```
 */
export class ItemKnn extends Recommender {
  readonly name = 'itemknn';
  readonly neighbours: number;
  readonly shrinkage: number;
  private similarity: Tensor | null = null;
  private itemUserBlock: Tensor | null = null;

  constructor(options: ItemKnnOptions = {}) {
    super();
    this.neighbours = checkedNumber('ItemKnn', 'neighbours', options.neighbours ?? 100, { integer: true, minimum: 1 });
    this.shrinkage = checkedNumber('ItemKnn', 'shrinkage', options.shrinkage ?? 10, { minimum: 0 });
  }

  async fit(data: InteractionMatrix, options: FitOptions = {}): Promise<History> {
    const started = performance.now();
    this.setData(data);
    this.disposeTensors();
    const block = tensor(denseRows(data, Int32Array.from({ length: data.userCount }, (_, user) => user)), [data.userCount, data.itemCount]);
    const cooccurrence = tidy(() => matmul(block, block, { transposeA: true }));
    block.dispose();
    const counts = await cooccurrence.data();
    cooccurrence.dispose();
    this.setSimilarity(this.pruned(counts, data.itemCount), data.itemCount);
    const log = { epoch: 1, loss: 0, seconds: (performance.now() - started) / 1000 };
    await options.onEpoch?.(log);
    return { epochs: [log] };
  }

  /** update(): similarities recomputed on the merged interactions (one co-occurrence matmul; exact, as a refit). */
  protected override async applyUpdate(extension: InteractionExtension): Promise<void> {
    await this.fit(extension.matrix);
  }

  /** Shrunk cosine from co-occurrence counts, self-similarity removed, top `neighbours` per row kept. */
  private pruned(counts: ArrayLike<number>, items: number): Float32Array {
    const result = new Float32Array(items * items);
    const norms = Float64Array.from({ length: items }, (_, item) => Math.sqrt(counts[item * items + item]));
    const keepCount = Math.min(this.neighbours, items - 1);
    const row = new Float64Array(items);
    const order = Array.from({ length: items }, (_, item) => item);
    for (let i = 0; i < items; i++) {
      for (let j = 0; j < items; j++) row[j] = i === j ? 0 : counts[i * items + j] / (norms[i] * norms[j] + this.shrinkage || 1);
      order.sort((a, b) => row[b] - row[a] || a - b);
      for (let rank = 0; rank < keepCount; rank++) if (row[order[rank]] > 0) result[i * items + order[rank]] = row[order[rank]];
    }
    return result;
  }

  private setSimilarity(values: Float32Array, items: number): void {
    this.similarity = keep(tensor(values, [items, items]));
  }

  protected scoreUsers(users: Int32Array): Tensor {
    const data = this.requireData('recommend');
    if (this.similarity === null) throw new DendriteError('itemknn is not fitted');
    const similarity = this.similarity;
    return tidy(() => matmul(tensor(denseRows(data, users), [users.length, data.itemCount]), similarity));
  }

  protected override itemVectors(): Tensor | null {
    const data = this.requireData('similarItems');
    if (this.itemUserBlock === null) {
      this.itemUserBlock = keep(tidy(() => transpose(tensor(denseRows(data, Int32Array.from({ length: data.userCount }, (_, user) => user)), [data.userCount, data.itemCount]))));
    }
    return this.itemUserBlock;
  }

  protected hyperparameters(): Record<string, unknown> {
    return { neighbours: this.neighbours, shrinkage: this.shrinkage };
  }

  protected async weightTensors(): Promise<Record<string, HostTensor>> {
    if (this.similarity === null) return {};
    return { similarity: { dtype: 'float32', shape: [...this.similarity.shape], data: (await this.similarity.data()) as Float32Array } };
  }

  protected restoreWeights(weights: Record<string, DecodedHostTensor>): void {
    const data = this.requireData('load');
    const found = weights.similarity;
    if (!found || found.shape.join() !== `${data.itemCount},${data.itemCount}`) throw new DendriteError(`loadRecommender: itemknn needs tensor 'similarity' of shape [${data.itemCount}, ${data.itemCount}]`);
    this.disposeTensors();
    this.setSimilarity(Float32Array.from(found.data), data.itemCount);
  }

  dispose(): void {
    this.disposeTensors();
  }

  private disposeTensors(): void {
    this.similarity?.dispose();
    this.itemUserBlock?.dispose();
    this.similarity = this.itemUserBlock = null;
  }
}

/** Dense binary rows [users.length, items] of the users' interactions. */
function denseRows(data: InteractionMatrix, users: Int32Array): Float32Array {
  const rows = new Float32Array(users.length * data.itemCount);
  users.forEach((user, row) => {
    for (const item of data.itemsOf(user)) rows[row * data.itemCount + item] = 1;
  });
  return rows;
}

