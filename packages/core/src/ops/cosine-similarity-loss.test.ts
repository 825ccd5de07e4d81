import { describe, expect, it } from 'vitest';
import { gradCheck } from '../testing/gradcheck.js';
import { expectClose } from '../testing/expect-close.js';
import { cosineSimilarityLoss } from './cosine-similarity-loss.js';
import { tensor } from './creation.js';

const prediction = { values: Float32Array.from([0.5, -1.2, 2, 0.3, -0.7, 1.1, 0.8, 0.2, -0.4]), shape: [3, 3] };
const target = { values: Float32Array.from([1, 0.4, -0.5, 0.9, -2, 0.6, 0.3, 0.3, 1.5]), shape: [3, 3] };

describe('cosineSimilarityLoss', () => {
  it('is 0 for parallel rows, 2 for opposite ones, 1 for a zero row', () => {
    const a = tensor([[1, 2, 3], [1, 0, 0], [0, 0, 0]]);
    const b = tensor([[2, 4, 6], [-3, 0, 0], [1, 1, 1]]);
    expectClose(cosineSimilarityLoss(a, b, { reduction: 'none' }).dataSync(), [0, 2, 1], { atol: 1e-6 });
  });

  it('has the gradient finite differences give, for both inputs', () => {
    for (const options of [{}, { reduction: 'sum' as const, weights: tensor([0.5, 2, 1.25]) }, { reduction: 'none' as const }]) {
      gradCheck((a, b) => cosineSimilarityLoss(a, b, options), [prediction, target]);
    }
  });

  it('names both shapes on a mismatch and rejects a bad epsilon', () => {
    expect(() => cosineSimilarityLoss(tensor([[1, 2, 3]]), tensor([1, 2, 3]))).toThrow('cosineSimilarityLoss: prediction [1, 3] and target [3] must have the same shape');
    expect(() => cosineSimilarityLoss(tensor([1]), tensor([1]), { epsilon: 0 })).toThrow('cosineSimilarityLoss: epsilon must be positive, got 0');
  });
});
