import { DendriteError } from '@dendrite/core';
import { BiasedMf } from './models/biased-mf.js';
import { BprMf } from './models/bpr.js';
import { ImplicitAls } from './models/implicit-als.js';
import { ItemKnn } from './models/item-knn.js';
import { ItemPop } from './models/item-pop.js';
import { NeuralCf } from './models/neural-cf.js';
import { SvdPlusPlus } from './models/svd-plus-plus.js';
import type { Recommender, SavedRecommender } from './recommender.js';

/** Every model's registry name (what `save()` writes and the command line's `--model` takes). */
export const MODEL_NAMES = ['pop', 'itemknn', 'mf', 'svdpp', 'als', 'bpr', 'gmf', 'mlp', 'neumf'] as const;
/** The name of each model the registry (and the command line's --model) knows. */
export type ModelName = (typeof MODEL_NAMES)[number];

/**
 * A new, unfitted model by registry name, with its options (the stored config of a saved model works).
 *
 * @example
 * ```ts
 * const model = createRecommender('als', { factors: 32 });
 * ```
 */
export function createRecommender(name: string, options: Record<string, unknown> = {}): Recommender {
  switch (name) {
    case 'pop': return new ItemPop();
    case 'itemknn': return new ItemKnn(options);
    case 'mf': return new BiasedMf(options);
    case 'svdpp': return new SvdPlusPlus(options);
    case 'als': return new ImplicitAls(options);
    case 'bpr': return new BprMf(options);
    case 'gmf': case 'mlp': case 'neumf': return new NeuralCf({ ...options, architecture: name });
    default: throw new DendriteError(`createRecommender: unknown model ${JSON.stringify(name)}; expected one of ${MODEL_NAMES.join(', ')}`);
  }
}

/**
 * Rebuild a model from {@link Recommender.save}'s config and weights.
 *
 * @example
 * ```ts
 * const saved = await model.save();
 * const again = loadRecommender(saved);
 * await again.recommend(196);
 * ```
 */
export function loadRecommender(saved: SavedRecommender): Recommender {
  if (saved?.config?.format !== 1) throw new DendriteError(`loadRecommender: unsupported config format ${JSON.stringify(saved?.config?.format)} (expected 1)`);
  const { model, format: _format, ...options } = saved.config;
  return createRecommender(model, options).restore(saved);
}
