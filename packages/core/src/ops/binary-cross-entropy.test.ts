import { describe, expect, it } from 'vitest';
import { valueAndGrad } from '../autograd/grad.js';
import { gradCheck } from '../testing/gradcheck.js';
import { expectClose } from '../testing/expect-close.js';
import type { Tensor } from '../tensor.js';
import { binaryCrossEntropy } from './binary-cross-entropy.js';
import { tensor } from './creation.js';
import { sum } from './sum.js';

const probabilities = { values: Float32Array.from([0.5, 0.2, 0.85, 0.3, 0.65, 0.1]), shape: [3, 2] };
const targets = { values: Float32Array.from([1, 0, 0.25, 0.9, 0, 0.6]), shape: [3, 2] };

describe('binaryCrossEntropy', () => {
  it('floors each log at -100 as PyTorch, with finite gradients', () => {
    const p = tensor([0, 1, 0, 1]);
    const t = tensor([1, 0, 0, 1]);
    const { value, grads } = valueAndGrad((input: Tensor) => sum(binaryCrossEntropy(input, t, { reduction: 'none' })))(p);
    expectClose(binaryCrossEntropy(p, t, { reduction: 'none' }).dataSync(), [100, 100, 0, 0], { atol: 1e-4 });
    expectClose(value.dataSync(), [200], { atol: 1e-3 });
    expect(Array.from(grads[0].dataSync()).every(Number.isFinite)).toBe(true);
  });

  it('has the gradient finite differences give, for probabilities and targets', () => {
    for (const options of [{}, { reduction: 'sum' as const, weights: tensor([0.5, 2, 1.25]) }, { reduction: 'none' as const }]) {
      gradCheck((a, b) => binaryCrossEntropy(a, b, options), [probabilities, targets], { epsilon: 5e-3 });
    }
  });

  it('names both shapes on a mismatch', () => {
    expect(() => binaryCrossEntropy(tensor([[0.1, 0.2, 0.3]]), tensor([1, 0, 1]))).toThrow('binaryCrossEntropy: probabilities [1, 3] and targets [3] must have the same shape');
  });
});
