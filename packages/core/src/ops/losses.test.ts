import { describe, expect, it } from 'vitest';
import { valueAndGrad } from '../autograd/grad.js';
import { createCpuBackend } from '../backends/cpu/cpu-backend.js';
import { engine } from '../engine.js';
import { expectClose } from '../testing/expect-close.js';
import { gradCheck } from '../testing/gradcheck.js';
import type { Tensor } from '../tensor.js';
import { binaryCrossEntropy } from './binary-cross-entropy.js';
import { cosineSimilarityLoss } from './cosine-similarity-loss.js';
import { tensor } from './creation.js';
import { huberLoss } from './huber-loss.js';
import { meanAbsoluteError } from './mean-absolute-error.js';
import { meanSquaredError } from './mean-squared-error.js';
import { randomNormal, randomUniform } from './random.js';
import { sigmoidCrossEntropy } from './sigmoid-cross-entropy.js';
import { softmaxCrossEntropy } from './softmax-cross-entropy.js';
import { sum } from './sum.js';

const floats = (values: number[], shape: number[]) => ({ values: Float32Array.from(values), shape });
const seeded = (count: number, scale: number, offset = 0) =>
  Array.from({ length: count }, (_, i) => offset + scale * Math.sin(1.7 * i + 0.3));

describe('losses: finite differences', () => {
  const shape = [3, 4];
  const prediction = floats(seeded(12, 2), shape);
  // Kept away from the kinks (|d| = delta for Huber, d = 0 for MAE) so central differences are exact.
  const target = floats(seeded(12, 2).map((v, i) => v + (i % 2 ? 0.7 : -1.6)), shape);
  const probabilities = floats(seeded(12, 0.4, 0.5), shape);
  const targets = floats(seeded(12, 0.5, 0.5).map((v) => Math.min(1, Math.max(0, v))), shape);
  const weights = tensor([0.5, 2, 1.25]);
  const options = [{}, { reduction: 'sum' as const, weights }, { reduction: 'none' as const }];

  it.each(options.map((o, i) => [i, o] as const))('every loss, options #%d, both inputs', (_, lossOptions) => {
    const cases: Array<[string, (a: Tensor, b: Tensor) => Tensor, typeof prediction, typeof prediction]> = [
      ['sigmoidCrossEntropy', (a, b) => sigmoidCrossEntropy(a, b, lossOptions), prediction, targets],
      ['binaryCrossEntropy', (a, b) => binaryCrossEntropy(a, b, lossOptions), probabilities, targets],
      ['meanSquaredError', (a, b) => meanSquaredError(a, b, lossOptions), prediction, target],
      ['meanAbsoluteError', (a, b) => meanAbsoluteError(a, b, lossOptions), prediction, target],
      ['huberLoss', (a, b) => huberLoss(a, b, { ...lossOptions, delta: 1 }), prediction, target],
      ['cosineSimilarityLoss', (a, b) => cosineSimilarityLoss(a, b, lossOptions), prediction, target],
      ['softmaxCrossEntropy', (a, b) => softmaxCrossEntropy(a, b, { ...lossOptions, labelSmoothing: 0.1 }), prediction, probabilities],
    ];
    for (const [, loss, first, second] of cases) gradCheck(loss, [first, second], { epsilon: 1e-2, atol: 2e-2, rtol: 2e-2 });
  });
});

describe('softmaxCrossEntropy', () => {
  it('the fused CPU kernel matches the composed ops, value and gradient, for every reduction and weights', () => {
    for (const options of [{}, { reduction: 'sum' as const }, { reduction: 'none' as const, weights: 'per-sample' }]) {
      const run = (backend: ReturnType<typeof createCpuBackend>) => engine.withBackend(backend, () => {
        const logits = randomNormal([33, 7], 0, 3, 8);
        const labels = tensor(Int32Array.from({ length: 33 }, (_, i) => (i * 5) % 7), [33], 'int32');
        const weights = options.weights ? randomUniform([33], 0, 2, 9) : undefined;
        const lossOptions = { reduction: options.reduction, weights };
        const { value, grads } = valueAndGrad((x: Tensor) => sum(softmaxCrossEntropy(x, labels, lossOptions)))(logits);
        return [softmaxCrossEntropy(logits, labels, lossOptions).dataSync(), value.dataSync(), grads[0].dataSync()];
      });
      const fused = run(createCpuBackend());
      const composed = run({ ...createCpuBackend(), softmaxCrossEntropy: undefined });
      fused.forEach((values, i) => expectClose(values, composed[i], { atol: 1e-6, rtol: 1e-5 }));
    }
  });

  it('label smoothing with int labels equals smoothed probability labels', () => {
    const logits = randomNormal([6, 4], 0, 2, 3);
    const labels = tensor([0, 1, 2, 3, 3, 1], [6], 'int32');
    const smoothedTargets = tensor(Array.from(labels.dataSync(), (label) => [0, 1, 2, 3].map((c) => (c === label ? 0.8 : 0) + 0.05)));
    expectClose(softmaxCrossEntropy(logits, labels, { labelSmoothing: 0.2 }).dataSync(), softmaxCrossEntropy(logits, smoothedTargets).dataSync(), { atol: 1e-6 });
  });

  it('names a label outside the classes and bad smoothing', () => {
    const labels = tensor([0, 3], [2], 'int32');
    expect(() => softmaxCrossEntropy(tensor([[1, 2, 3], [1, 2, 3]]), labels)).toThrow('softmaxCrossEntropy: label 3 at row 1 is outside [0, 3)');
    expect(() => softmaxCrossEntropy(tensor([[1, 2]]), tensor([0], [1], 'int32'), { labelSmoothing: 1 })).toThrow('softmaxCrossEntropy: labelSmoothing must be in [0, 1), got 1');
  });
});

describe('loss edge cases', () => {
  it('sigmoidCrossEntropy is finite for huge logits and has gradient sigmoid(x) - t at x = 0', () => {
    const logits = tensor([1e4, -1e4, 0]);
    const targets = tensor([0, 1, 0.25]);
    const { value, grads } = valueAndGrad((x: Tensor) => sigmoidCrossEntropy(x, targets, { reduction: 'sum' }))(logits);
    expectClose(value.dataSync(), [2e4 + Math.log(2)], { rtol: 1e-6 });
    expectClose(grads[0].dataSync(), [1, -1, 0.25], { atol: 1e-6 });
  });

  it('binaryCrossEntropy floors each log at -100 as PyTorch, with finite gradients', () => {
    const probabilities = tensor([0, 1, 0, 1]);
    const targets = tensor([1, 0, 0, 1]);
    const { value, grads } = valueAndGrad((p: Tensor) => sum(binaryCrossEntropy(p, targets, { reduction: 'none' })))(probabilities);
    expectClose(binaryCrossEntropy(probabilities, targets, { reduction: 'none' }).dataSync(), [100, 100, 0, 0], { atol: 1e-4 });
    expectClose(value.dataSync(), [200], { atol: 1e-3 });
    expect(Array.from(grads[0].dataSync()).every(Number.isFinite)).toBe(true);
  });

  it('cosineSimilarityLoss is 0 for parallel rows, 2 for opposite ones, 1 for a zero row', () => {
    const a = tensor([[1, 2, 3], [1, 0, 0], [0, 0, 0]]);
    const b = tensor([[2, 4, 6], [-3, 0, 0], [1, 1, 1]]);
    expectClose(cosineSimilarityLoss(a, b, { reduction: 'none' }).dataSync(), [0, 2, 1], { atol: 1e-6 });
  });

  it('names the loss and both shapes on a mismatch, and rejects unknown options', () => {
    const a = tensor([[1, 2, 3]]);
    const b = tensor([1, 2, 3]);
    expect(() => meanSquaredError(a, b)).toThrow('meanSquaredError: prediction [1, 3] and target [3] must have the same shape');
    expect(() => sigmoidCrossEntropy(a, b)).toThrow('sigmoidCrossEntropy: logits [1, 3] and targets [3] must have the same shape');
    expect(() => binaryCrossEntropy(a, b)).toThrow('binaryCrossEntropy: probabilities [1, 3] and targets [3] must have the same shape');
    expect(() => huberLoss(a, a, { delta: 0 })).toThrow('huberLoss: delta must be a positive finite number, got 0');
    expect(() => meanAbsoluteError(a, a, { reduce: 'sum' } as never)).toThrow("meanAbsoluteError: unknown option 'reduce'; valid options are reduction, weights");
    expect(() => meanAbsoluteError(a, a, { reduction: 'avg' } as never)).toThrow('meanAbsoluteError: reduction must be one of mean, sum, none, got avg');
    expect(() => meanSquaredError(a, a, { weights: tensor([1, 2]) })).toThrow('meanSquaredError: weights must be float32 [1] (one per sample) or [1, 3], got float32 [2]');
    expect(() => cosineSimilarityLoss(a, b)).toThrow('cosineSimilarityLoss: prediction [1, 3] and target [3] must have the same shape');
  });
});
