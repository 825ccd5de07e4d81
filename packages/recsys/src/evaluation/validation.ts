import type { IdMap, Ratings } from '@dendrite/datasets';
import { InteractionMatrix } from '../interactions.js';
import { buildNcfSplit } from '../ncf-files.js';
import type { EpochLog, Recommender } from '../recommender.js';
import { evaluateSampledRanking } from './ranking.js';

/** A validation hold-out carved from training data: the rest to fit on, one held-out item per user with its negatives. */
export interface ValidationSplit {
  /** The training data less each user's held-out interaction. */
  matrix: InteractionMatrix;
  users: Int32Array;
  items: Int32Array;
  /** 99 distinct never-rated negatives per held-out row. */
  negatives: Int32Array;
}

/** The epoch the selection rule picked and its validation figures. */
export interface EpochChoice {
  epoch: number;
  hr: number;
  ndcg: number;
}

/**
 * The validation hold-out of the `ncf` command and the tuning script: each user's latest *training*
 * interaction held out with 99 distinct negatives (the NCF protocol applied to the training data), so
 * nothing of the test set is seen while choosing.
 *
 * @example
 * ```ts
 * const validation = carveValidation(train, ids, { itemCount: 1682, seed: 2 });
 * ```
 */
export function carveValidation(train: Ratings, ids: { userIds: IdMap; itemIds: IdMap }, options: { itemCount: number; seed: number }): ValidationSplit {
  const inner = buildNcfSplit(train, { itemCount: options.itemCount, seed: options.seed });
  return {
    matrix: InteractionMatrix.fromRatings({ users: inner.train.users, items: inner.train.items }, ids),
    users: inner.test.users, items: inner.test.items, negatives: inner.negatives,
  };
}

/**
 * Fits `model` on the validation split's training part for up to `epochs`, scoring HR@10 / NDCG@10 on
 * the hold-out after every epoch, and returns the epoch the selection rule picks — **the best validation
 * HR@10, ties broken by NDCG@10, then by the earlier epoch** — applied the same way to every model.
 * `onEpoch` sees each epoch's log with its validation `hr` and `ndcg`.
 */
export async function fitChoosingEpoch(
  model: Recommender, validation: ValidationSplit,
  options: { epochs: number; seed: number; onEpoch?: (log: EpochLog & { hr: number; ndcg: number }) => void },
): Promise<EpochChoice> {
  let best: EpochChoice = { epoch: 0, hr: -1, ndcg: 0 };
  await model.fit(validation.matrix, {
    epochs: options.epochs, seed: options.seed,
    onEpoch: async (log) => {
      const scored = await evaluateSampledRanking(model, validation.users, validation.items, validation.negatives, { k: 10 });
      options.onEpoch?.({ ...log, hr: scored.hr, ndcg: scored.ndcg });
      if (scored.hr > best.hr || (scored.hr === best.hr && scored.ndcg > best.ndcg)) best = { epoch: log.epoch, hr: scored.hr, ndcg: scored.ndcg };
    },
  });
  return best;
}
