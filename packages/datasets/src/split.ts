import { DatasetError } from './errors.js';
import { SeededRandom } from './random.js';

/** Fractions for a seeded train / validation / test split; train gets the rest. */
export interface SplitFractions {
  /** Fraction of items for validation (default 0). */
  validation?: number;
  /** Fraction of items for test (default 0). */
  test?: number;
  /** Seed of the permutation. */
  seed: number;
}

/**
 * Seeded random split of `0..length-1` into train / validation / test index arrays (sizes rounded, train
 * takes the remainder). Use the indices with `gatherRows` or `Dataset.fromIndexed`.
 *
 * @example
 * ```ts
 * const { train, validation } = splitIndices(60000, { validation: 1 / 6, seed: 42 }); // 50000 / 10000
 * ```
 */
export function splitIndices(length: number, fractions: SplitFractions): { train: Int32Array; validation: Int32Array; test: Int32Array } {
  if (typeof fractions !== 'object' || fractions === null) throw new DatasetError(`split: options { validation?, test?, seed } are required, got ${String(fractions)}`);
  // Train takes the rest, so { train: 0.8 } is not an option: unknown keys would otherwise be ignored silently.
  const unknownKeys = Object.keys(fractions).filter((key) => !['validation', 'test', 'seed'].includes(key));
  if (unknownKeys.length > 0) throw new DatasetError(`split: unknown option(s) ${unknownKeys.join(', ')}; valid options are validation, test, seed (train takes the rest)`);
  if (!Number.isInteger(fractions.seed)) throw new DatasetError(`split: seed must be an integer, got ${String(fractions.seed)}`);
  if (!Number.isSafeInteger(length) || length < 0) throw new DatasetError(`split: length must be a non-negative integer, got ${length}`);
  const validationFraction = fractions.validation ?? 0;
  const testFraction = fractions.test ?? 0;
  for (const [name, value] of [['validation', validationFraction], ['test', testFraction]] as const) {
    if (!(value >= 0 && value <= 1)) throw new DatasetError(`split: ${name} fraction must be in [0, 1], got ${value}`);
  }
  if (validationFraction + testFraction > 1) {
    throw new DatasetError(`split: validation + test fractions add up to ${validationFraction + testFraction}, more than 1`);
  }
  const permutation = new SeededRandom(fractions.seed).permutation(length);
  const validationCount = Math.round(length * validationFraction);
  const testCount = Math.min(length - validationCount, Math.round(length * testFraction));
  const trainCount = length - validationCount - testCount;
  return {
    train: permutation.slice(0, trainCount),
    validation: permutation.slice(trainCount, trainCount + validationCount),
    test: permutation.slice(trainCount + validationCount),
  };
}
