import { DendriteError } from '@dendrite/core';
import { SeededRandom, selectRatings, type Ratings } from '@dendrite/datasets';
import type { RatingPredictor } from '../models/biased-mf.js';

/** Error of predicted ratings. */
export interface RatingMetrics {
  rmse: number;
  mae: number;
  count: number;
}

/**
 * RMSE and MAE of a rating model on (raw user, raw item, rating) rows.
 *
 * @example
 * ```ts
 * const { rmse, mae } = await evaluateRatings(mf, rawUsers, rawItems, ratings);
 * ```
 */
export async function evaluateRatings(
  model: RatingPredictor, users: ArrayLike<number>, items: ArrayLike<number>, ratings: Float32Array,
): Promise<RatingMetrics> {
  if (ratings.length === 0) throw new DendriteError('evaluateRatings: no ratings to evaluate');
  const predicted = await model.predict(users, items);
  let squared = 0, absolute = 0;
  for (let row = 0; row < ratings.length; row++) {
    const error = predicted[row] - ratings[row];
    squared += error * error;
    absolute += Math.abs(error);
  }
  return { rmse: Math.sqrt(squared / ratings.length), mae: absolute / ratings.length, count: ratings.length };
}

/**
 * `folds` seeded folds of the rating rows (Surprise's KFold): fold f's test set is every row whose
 * shuffled position is ≡ f mod folds, its train set the rest.
 */
export function kFoldSplits(ratings: Ratings, options: { folds?: number; seed?: number } = {}): Array<{ train: Ratings; test: Ratings }> {
  const folds = options.folds ?? 5;
  if (!Number.isInteger(folds) || folds < 2) throw new DendriteError(`kFoldSplits: folds must be an integer >= 2, got ${folds}`);
  const order = new SeededRandom(options.seed ?? 1).permutation(ratings.users.length);
  return Array.from({ length: folds }, (_, fold) => {
    const test: number[] = [], train: number[] = [];
    order.forEach((row, position) => (position % folds === fold ? test : train).push(row));
    return { train: selectRatings(ratings, train.sort((a, b) => a - b)), test: selectRatings(ratings, test.sort((a, b) => a - b)) };
  });
}
