import type { ModelName } from './registry.js';

/** A model's tuned defaults: constructor options and epochs (chosen on a validation hold-out of ML-100K's training data). */
export interface Recipe {
  options: Record<string, unknown>;
  epochs: number;
  /**
   * NeuMF only: the paper's initialisation, which the `ncf` command runs by default when present. A GMF
   * and an MLP at NeuMF's sizes are fitted first (`gmf` / `mlp`: options over those models' recipes, and
   * epochs; the last-epoch models are used), NeuMF is started from them (output layers weighted `alpha`
   * and 1 − alpha), then fine-tuned with `fineTune.options` over `options` for up to `fineTune.epochs`.
   */
  pretrain?: { alpha: number; gmf: Recipe; mlp: Recipe; fineTune: Recipe };
}

/**
 * The command line's defaults per model: what `pnpm recommender ncf` and `evaluate` run when given no
 * flags. Chosen on validation (each user's latest training interaction), never on the test set; see the
 * README for the sweeps behind them.
 */
export const RECIPES: Record<ModelName, Recipe> = {
  pop: { options: {}, epochs: 1 },
  itemknn: { options: { neighbours: 100, shrinkage: 10 }, epochs: 1 },
  mf: { options: { factors: 200, learningRate: 0.005, initialDeviation: 0.01, biasRegularization: 0.02, userRegularization: 0.05, itemRegularization: 0.05 }, epochs: 60 },
  svdpp: { options: { factors: 50, learningRate: 0.007, biasRegularization: 0.02, userRegularization: 0.08, itemRegularization: 0.08 }, epochs: 20 },
  als: { options: { factors: 32, alpha: 5, regularization: 0.1 }, epochs: 10 },
  bpr: { options: { factors: 64, learningRate: 0.05, regularization: 0.02 }, epochs: 60 },
  gmf: { options: { factors: 16, learningRate: 0.001 }, epochs: 20 },
  mlp: { options: { mlpLayers: [64, 32, 16, 8], learningRate: 0.001 }, epochs: 20 },
  // Chosen by `bench/tune.ts` on validation (README, NeuMF sweeps). From scratch (`options`, `epochs`; what `ncf --no-pretrain`
  // and the recommender app train): 64 predictive factors, L2 0.01 on the batch's embeddings, batch 1024, Adam 4e-3 decayed
  // ×0.85 per epoch (validation HR@10 0.703). `pretrain`, the `ncf` default: GMF and MLP fitted first with those settings,
  // NeuMF started from them with the GMF head weighted α 0.8 (third sweep: α 0.7–0.9 lead α 0.5 by 0.011–0.013 validation HR
  // on the mean of seeds 1 and 2; 0.8 by a hair) and fine-tuned with Adam 1e-4 (validation 0.729 / 0.435 seed 1, 0.705 / 0.417
  // seed 2). The epoch is re-chosen on validation within the cap.
  neumf: {
    options: { factors: 64, mlpLayers: [256, 128, 64], learningRate: 0.004, learningRateDecay: 0.85, batchSize: 1024, embeddingRegularization: 0.01 },
    epochs: 15,
    pretrain: {
      alpha: 0.8,
      gmf: { options: { learningRate: 0.004, learningRateDecay: 0.85, batchSize: 1024, embeddingRegularization: 0.01 }, epochs: 15 },
      mlp: { options: { learningRate: 0.004, learningRateDecay: 0.85, batchSize: 1024, embeddingRegularization: 0.01 }, epochs: 12 },
      fineTune: { options: { learningRate: 0.0001 }, epochs: 4 },
    },
  },
};
