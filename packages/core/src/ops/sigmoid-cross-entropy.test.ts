import { describe, expect, it } from 'vitest';
import { valueAndGrad } from '../autograd/grad.js';
import { gradCheck } from '../testing/gradcheck.js';
import { expectClose } from '../testing/expect-close.js';
import type { Tensor } from '../tensor.js';
import { tensor } from './creation.js';
import { sigmoidCrossEntropy } from './sigmoid-cross-entropy.js';

const logits = { values: Float32Array.from([0.5, -1.2, 2, 0.3, -0.7, 1.1]), shape: [3, 2] };
const targets = { values: Float32Array.from([1, 0, 0.25, 0.9, 0, 0.6]), shape: [3, 2] };

describe('sigmoidCrossEntropy', () => {
  it('is finite for huge logits and has gradient sigmoid(x) - t, also at x = 0', () => {
    const x = tensor([1e4, -1e4, 0]);
    const t = tensor([0, 1, 0.25]);
    const { value, grads } = valueAndGrad((input: Tensor) => sigmoidCrossEntropy(input, t, { reduction: 'sum' }))(x);
    expectClose(value.dataSync(), [2e4 + Math.log(2)], { rtol: 1e-6 });
    expectClose(grads[0].dataSync(), [1, -1, 0.25], { atol: 1e-6 });
  });

  it('has the gradient finite differences give, for logits and targets', () => {
    for (const options of [{}, { reduction: 'sum' as const, weights: tensor([0.5, 2, 1.25]) }, { reduction: 'none' as const }]) {
      gradCheck((a, b) => sigmoidCrossEntropy(a, b, options), [logits, targets]);
    }
  });

  it('names both shapes on a mismatch', () => {
    expect(() => sigmoidCrossEntropy(tensor([[1, 2, 3]]), tensor([1, 2, 3]))).toThrow('sigmoidCrossEntropy: logits [1, 3] and targets [3] must have the same shape');
  });
});
