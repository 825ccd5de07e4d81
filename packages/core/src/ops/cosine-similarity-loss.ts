import { check } from '../errors.js';
import { formatShape } from '../shape.js';
import type { Tensor } from '../tensor.js';
import { checkLossOptions, checkSameShape, reduceLoss, type LossOptions } from './loss-reduction.js';
import { div } from './div.js';
import { maximum } from './maximum.js';
import { mul } from './mul.js';
import { sqrt } from './sqrt.js';
import { square } from './square.js';
import { sub } from './sub.js';
import { sum } from './sum.js';
import { composite } from './util.js';

/** Options of {@link cosineSimilarityLoss}. */
export interface CosineSimilarityLossOptions extends LossOptions {
  /** Floor of each vector's norm, so a zero vector gives similarity 0 rather than NaN; default 1e-8 (PyTorch's). */
  epsilon?: number;
}

/**
 * 1 - cosine similarity along the last axis (PyTorch's `CosineEmbeddingLoss` with target 1): 0 when the
 * vectors point the same way, 2 when opposite. cos = a·b / (max(‖a‖, ε)·max(‖b‖, ε)), as PyTorch's
 * `cosine_similarity`. The unreduced loss has one value per row ([batch] for [batch, features] inputs).
 *
 * @example
 * ```ts
 * const loss = cosineSimilarityLoss(embeddings, targets); // embeddings, targets: [batch, features]
 * ```
 */
export function cosineSimilarityLoss(prediction: Tensor, target: Tensor, options: CosineSimilarityLossOptions = {}): Tensor {
  checkLossOptions('cosineSimilarityLoss', options, ['epsilon']);
  checkSameShape('cosineSimilarityLoss', 'prediction', prediction, 'target', target);
  check(prediction.rank >= 1, 'cosineSimilarityLoss', () => `inputs need a feature axis, got ${formatShape(prediction.shape)}`);
  const epsilon = options.epsilon ?? 1e-8;
  check(Number.isFinite(epsilon) && epsilon > 0, 'cosineSimilarityLoss', () => `epsilon must be positive, got ${epsilon}`);
  return composite('cosineSimilarityLoss', () => {
    const norm = (x: Tensor) => maximum(sqrt(sum(square(x), -1)), epsilon);
    const similarity = div(sum(mul(prediction, target), -1), mul(norm(prediction), norm(target)));
    return reduceLoss('cosineSimilarityLoss', sub(1, similarity), options);
  });
}
