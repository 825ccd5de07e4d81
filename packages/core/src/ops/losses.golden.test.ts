import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { valueAndGrad } from '../autograd/grad.js';
import { expectClose } from '../testing/expect-close.js';
import type { Tensor } from '../tensor.js';
import { binaryCrossEntropy } from './binary-cross-entropy.js';
import { cosineSimilarityLoss } from './cosine-similarity-loss.js';
import { tensor } from './creation.js';
import { huberLoss } from './huber-loss.js';
import { meanAbsoluteError } from './mean-absolute-error.js';
import { meanSquaredError } from './mean-squared-error.js';
import { mul } from './mul.js';
import { sigmoidCrossEntropy } from './sigmoid-cross-entropy.js';
import { softmaxCrossEntropy } from './softmax-cross-entropy.js';
import { sum } from './sum.js';

interface GoldenCase {
  loss: string;
  name: string;
  inputs: Array<{ values: number[]; shape: number[]; dtype: 'float32' | 'int32' }>;
  options: Record<string, unknown>;
  value: number[];
  valueShape: number[];
  cotangent: number[];
  gradient: number[];
}

// Written by scripts/golden_losses.py from PyTorch in float64.
const golden = JSON.parse(readFileSync(new URL('./fixtures/losses.golden.json', import.meta.url), 'utf8')) as { cases: GoldenCase[] };

const losses: Record<string, (a: Tensor, b: Tensor, options: Record<string, unknown>) => Tensor> = {
  sigmoidCrossEntropy, binaryCrossEntropy, meanSquaredError, meanAbsoluteError, huberLoss, cosineSimilarityLoss, softmaxCrossEntropy,
};

describe('losses against PyTorch (float64 golden fixture)', () => {
  it('covers every loss', () => {
    expect(new Set(golden.cases.map((c) => c.loss))).toEqual(new Set(Object.keys(losses)));
  });

  it.each(golden.cases.map((c) => [`${c.loss} ${c.name}`, c] as const))('%s: value and gradient', (_, goldenCase) => {
    const [first, second] = goldenCase.inputs.map((input) => tensor(input.values, input.shape, input.dtype));
    const options: Record<string, unknown> = { ...goldenCase.options };
    if (Array.isArray(options.weights)) options.weights = tensor(options.weights as number[]);
    const cotangent = tensor(goldenCase.cotangent, goldenCase.valueShape);
    const { value, grads } = valueAndGrad((x: Tensor) => sum(mul(losses[goldenCase.loss](x, second, options), cotangent)))(first);
    const unreduced = losses[goldenCase.loss](first, second, options);
    expect(unreduced.shape).toEqual(goldenCase.valueShape);
    expectClose(unreduced.dataSync(), goldenCase.value, { atol: 1e-5, rtol: 1e-5 }, 'value');
    expect(Number.isFinite(value.dataSync()[0])).toBe(true);
    expectClose(grads[0].dataSync(), goldenCase.gradient, { atol: 1e-5, rtol: 1e-5 }, 'gradient');
  });
});
