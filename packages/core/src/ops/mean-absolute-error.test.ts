import { describe, expect, it } from 'vitest';
import { gradCheck } from '../testing/gradcheck.js';
import { expectClose } from '../testing/expect-close.js';
import { tensor } from './creation.js';
import { meanAbsoluteError } from './mean-absolute-error.js';

// Differences kept away from 0, where |d| has its kink.
const prediction = { values: Float32Array.from([0.5, -1.2, 2, 0.3, -0.7, 1.1]), shape: [3, 2] };
const target = { values: Float32Array.from([1, 0.4, -0.5, 0.9, -2, 0.6]), shape: [3, 2] };

describe('meanAbsoluteError', () => {
  it('averages absolute differences', () => {
    expectClose(meanAbsoluteError(tensor([1, -2, 3]), tensor([0, 0, 3])).dataSync(), [1], { atol: 1e-7 });
    expectClose(meanAbsoluteError(tensor([1, -2, 3]), tensor([0, 0, 3]), { reduction: 'none' }).dataSync(), [1, 2, 0], { atol: 1e-7 });
  });

  it('has the gradient finite differences give', () => {
    for (const options of [{}, { reduction: 'sum' as const, weights: tensor([0.5, 2, 1.25]) }, { reduction: 'none' as const }]) {
      gradCheck((a, b) => meanAbsoluteError(a, b, options), [prediction, target]);
    }
  });

  it('rejects unknown options and reductions, listing the valid ones', () => {
    const a = tensor([[1, 2, 3]]);
    expect(() => meanAbsoluteError(a, a, { reduce: 'sum' } as never)).toThrow("meanAbsoluteError: unknown option 'reduce'; valid options are reduction, weights");
    expect(() => meanAbsoluteError(a, a, { reduction: 'avg' } as never)).toThrow('meanAbsoluteError: reduction must be one of mean, sum, none, got avg');
  });
});
