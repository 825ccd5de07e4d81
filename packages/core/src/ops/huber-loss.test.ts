import { describe, expect, it } from 'vitest';
import { gradCheck } from '../testing/gradcheck.js';
import { expectClose } from '../testing/expect-close.js';
import { tensor } from './creation.js';
import { huberLoss } from './huber-loss.js';

// |difference| kept away from delta (1) and 0, where the loss has kinks in its second derivative.
const prediction = { values: Float32Array.from([0.5, -1.2, 2, 0.3, -0.7, 1.1]), shape: [3, 2] };
const target = { values: Float32Array.from([1, 0.4, -0.5, 0.9, -2, 0.6]), shape: [3, 2] };

describe('huberLoss', () => {
  it('is quadratic inside delta and linear outside', () => {
    const losses = huberLoss(tensor([0.5, 3, -4]), tensor([0, 0, 0]), { delta: 2, reduction: 'none' });
    expectClose(losses.dataSync(), [0.125, 2 * (3 - 1), 2 * (4 - 1)], { atol: 1e-6 });
  });

  it('has the gradient finite differences give', () => {
    for (const options of [{}, { reduction: 'sum' as const, weights: tensor([0.5, 2, 1.25]), delta: 0.5 }, { reduction: 'none' as const, delta: 3 }]) {
      gradCheck((a, b) => huberLoss(a, b, options), [prediction, target]);
    }
  });

  it('rejects a delta that is not positive', () => {
    const a = tensor([1]);
    expect(() => huberLoss(a, a, { delta: 0 })).toThrow('huberLoss: delta must be a positive finite number, got 0');
    expect(() => huberLoss(a, a, { delta: NaN })).toThrow('huberLoss: delta must be a positive finite number, got NaN');
  });
});
