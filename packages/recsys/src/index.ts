export { InteractionMatrix, type CompressedRows, type InteractionColumns } from './interactions.js';
export { generatePowerLawInteractions, type PowerLawOptions } from './synthetic.js';
export {
  Recommender, dotProductScores,
  type EpochLog, type FitOptions, type History, type RecommendOptions, type Recommendations, type SavedRecommender,
} from './recommender.js';
export { FactorModel, type UserHistory } from './models/factor-model.js';
export { ItemPop } from './models/item-pop.js';
export { ItemKnn, type ItemKnnOptions } from './models/item-knn.js';
export { BiasedMf, ExplicitFactorModel, type BiasedMfOptions, type RatingPredictor } from './models/biased-mf.js';
export { SvdPlusPlus } from './models/svd-plus-plus.js';
export { ImplicitAls, conjugateGradient, type ImplicitAlsOptions } from './models/implicit-als.js';
export { BprMf, type BprMfOptions } from './models/bpr.js';
export { NeuralCf, type NeuMfPretraining, type NeuralCfArchitecture, type NeuralCfOptions } from './models/neural-cf.js';
export type { NeuralCfUpdateOptions } from './models/neural-cf-update.js';
export { NeuralCfNetwork, paperInitialValues, type NeuralCfInitialValues, type NeuralCfPairs, type NeuralCfShape } from './models/neural-cf-network.js';
export {
  NeuralCfTrainer, SampledPairs, logLoss, type InteractionRows, type NeuralCfTrainerOptions, type SampledPairsBatch,
} from './models/neural-cf-training.js';
export { MODEL_NAMES, createRecommender, loadRecommender, type ModelName } from './registry.js';
export { RECIPES, type Recipe } from './recipes.js';
export { evaluateFullRanking, evaluateSampledRanking, type RankingMetrics } from './evaluation/ranking.js';
export { evaluateRatings, kFoldSplits, type RatingMetrics } from './evaluation/ratings.js';
export { buildNcfSplit, formatNcfFiles, parseNcfNegatives, parseNcfRatings, sampleDistinctNegatives, type NcfSplit } from './ncf-files.js';
export { carveValidation, fitChoosingEpoch, type EpochChoice, type ValidationSplit } from './evaluation/validation.js';
export {
  extendInteractions, growRows, solveRows,
  type InteractionExtension, type NewInteractions, type UpdateOptions, type UpdateSummary,
} from './incremental.js';
