import { describe, expect, it } from 'vitest';
import { tensor, type DecodedHostTensor, type HostTensor, type Tensor } from '@dendrite/core';
import { InteractionMatrix } from '../interactions.js';
import { Recommender, type History } from '../recommender.js';
import { evaluateFullRanking, evaluateSampledRanking } from './ranking.js';

/** A model whose score for (u, i) is a fixed table: metrics can be worked out by hand. */
class FixedScores extends Recommender {
  readonly name = 'fixed';
  constructor(private readonly table: number[][], data: InteractionMatrix) {
    super();
    this.setData(data);
  }
  async fit(): Promise<History> {
    return { epochs: [] };
  }
  protected scoreUsers(users: Int32Array): Tensor {
    return tensor(Array.from(users).flatMap((user) => this.table[user]), [users.length, this.table[0].length]);
  }
  protected hyperparameters() {
    return {};
  }
  protected async weightTensors(): Promise<Record<string, HostTensor>> {
    return {};
  }
  protected restoreWeights(_weights: Record<string, DecodedHostTensor>): void {}
  dispose(): void {}
}

describe('ranking metrics', () => {
  // 2 users × 6 items; in training user 0 saw item 0, user 1 saw item 5.
  const full = InteractionMatrix.fromRawIds([0, 0, 1, 1, 0, 1, 0, 1, 0, 1, 0, 1], [0, 1, 2, 3, 4, 5, 2, 0, 3, 1, 5, 4]);
  const model = new FixedScores([[9, 1, 5, 4, 3, 2], [0, 1, 2, 3, 4, 9]], InteractionMatrix.fromCompressedRows(
    { offsets: Int32Array.of(0, 1, 2), columns: Int32Array.of(0, 5), values: Float32Array.of(1, 1) }, { userIds: full.userIds, itemIds: full.itemIds }));

  it('leave-one-out with sampled negatives: HR, NDCG and AUC by hand, ties counted against the model', async () => {
    // User 0: test item 3 (score 4) vs negatives 1 (1), 2 (5), 4 (3): rank 1 → HR@2 hit, NDCG 1/log2(3).
    // User 1: test item 2 (score 2) vs negatives 0 (0), 1 (1), 4 (4): rank 1 as well; item 3 ties nothing.
    const metrics = await evaluateSampledRanking(model, Int32Array.of(0, 1), Int32Array.of(3, 2), Int32Array.of(1, 2, 4, 0, 1, 4), { k: 2 });
    expect(metrics.hr).toBe(1);
    expect(metrics.ndcg).toBeCloseTo(1 / Math.log2(3), 12);
    expect(metrics.auc).toBeCloseTo(2 / 3, 12);
    const atOne = await evaluateSampledRanking(model, Int32Array.of(0, 1), Int32Array.of(3, 2), Int32Array.of(1, 2, 4, 0, 1, 4), { k: 1 });
    expect(atOne.hr).toBe(0);
    // A tie with a negative ranks the test item below it.
    const tied = await evaluateSampledRanking(model, Int32Array.of(0), Int32Array.of(2), Int32Array.of(2), { k: 1 });
    expect(tied.hr).toBe(0);
  });

  it('full ranking over unseen items: precision, recall, MAP, NDCG and AUC by hand', async () => {
    // User 0 saw item 0; unseen ranked by score: 2 (5), 3 (4), 4 (3), 5 (2), 1 (1). Relevant: {3, 1}.
    // Top 2 = [2, 3]: one hit at rank 1 → precision 1/2, recall 1/2, AP = (1/2)/2, NDCG = (1/log2 3) / (1 + 1/log2 3).
    // AUC: 3 negatives (2, 4, 5); item 3 beats 2 of them, item 1 none → 2/6.
    const metrics = await evaluateFullRanking(model, { users: Int32Array.of(0, 0), items: Int32Array.of(3, 1) }, { k: 2 });
    expect(metrics.hr).toBe(1);
    expect(metrics.precision).toBe(0.5);
    expect(metrics.recall).toBe(0.5);
    expect(metrics.map).toBeCloseTo(0.25, 12);
    expect(metrics.ndcg).toBeCloseTo((1 / Math.log2(3)) / (1 + 1 / Math.log2(3)), 12);
    expect(metrics.auc).toBeCloseTo(2 / 6, 12);
  });

  it('refuses negatives that do not split evenly over the test users', async () => {
    await expect(evaluateSampledRanking(model, Int32Array.of(0, 1), Int32Array.of(3, 2), Int32Array.of(1, 2, 4))).rejects.toThrow('3 negatives do not split evenly over 2 test users');
  });
});
