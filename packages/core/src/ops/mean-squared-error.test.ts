import { describe, expect, it } from 'vitest';
import { gradCheck } from '../testing/gradcheck.js';
import { expectClose } from '../testing/expect-close.js';
import { tensor } from './creation.js';
import { meanSquaredError } from './mean-squared-error.js';

const prediction = { values: Float32Array.from([0.5, -1.2, 2, 0.3, -0.7, 1.1]), shape: [3, 2] };
const target = { values: Float32Array.from([1, 0.4, -0.5, 0.9, -2, 0.6]), shape: [3, 2] };

describe('meanSquaredError', () => {
  it('averages squared differences, or sums or keeps them, with per-sample weights', () => {
    const a = tensor([[1, 2], [3, 4]]);
    const b = tensor([[0, 2], [5, 4]]);
    expectClose(meanSquaredError(a, b).dataSync(), [5 / 4], { atol: 1e-7 });
    expectClose(meanSquaredError(a, b, { reduction: 'sum' }).dataSync(), [5], { atol: 1e-7 });
    expectClose(meanSquaredError(a, b, { reduction: 'none', weights: tensor([2, 0.5]) }).dataSync(), [2, 0, 2, 0], { atol: 1e-7 });
  });

  it('has the gradient finite differences give, for both inputs and every reduction', () => {
    for (const options of [{}, { reduction: 'sum' as const, weights: tensor([0.5, 2, 1.25]) }, { reduction: 'none' as const }]) {
      gradCheck((a, b) => meanSquaredError(a, b, options), [prediction, target]);
    }
  });

  it('names both shapes on a mismatch, and bad options', () => {
    expect(() => meanSquaredError(tensor([[1, 2, 3]]), tensor([1, 2, 3]))).toThrow('meanSquaredError: prediction [1, 3] and target [3] must have the same shape');
    expect(() => meanSquaredError(tensor([[1, 2, 3]]), tensor([[1, 2, 3]]), { weights: tensor([1, 2]) })).toThrow('meanSquaredError: weights must be float32 [1] (one per sample) or [1, 3], got float32 [2]');
    expect(() => meanSquaredError(tensor([1]), tensor([1], [1], 'int32'))).toThrow('meanSquaredError: prediction and target must be float32, got float32 and int32');
  });
});
