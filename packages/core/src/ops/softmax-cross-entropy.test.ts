import { describe, expect, it } from 'vitest';
import { valueAndGrad } from '../autograd/grad.js';
import { createCpuBackend } from '../backends/cpu/cpu-backend.js';
import { engine } from '../engine.js';
import { expectClose } from '../testing/expect-close.js';
import { gradCheck } from '../testing/gradcheck.js';
import type { Tensor } from '../tensor.js';
import { tensor } from './creation.js';
import { randomNormal, randomUniform } from './random.js';
import { softmaxCrossEntropy } from './softmax-cross-entropy.js';
import { sum } from './sum.js';

describe('softmaxCrossEntropy', () => {
  it('the fused CPU kernel matches the composed ops, value and gradient, for every reduction and weights', () => {
    for (const options of [{}, { reduction: 'sum' as const }, { reduction: 'none' as const, weighted: true }]) {
      const run = (backend: ReturnType<typeof createCpuBackend>) => engine.withBackend(backend, () => {
        const logits = randomNormal([33, 7], 0, 3, 8);
        const labels = tensor(Int32Array.from({ length: 33 }, (_, i) => (i * 5) % 7), [33], 'int32');
        const lossOptions = { reduction: options.reduction, weights: options.weighted ? randomUniform([33], 0, 2, 9) : undefined };
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

  it('has the gradient finite differences give, with smoothing and probability labels', () => {
    const logits = { values: Float32Array.from([0.5, -1.2, 2, 0.3, -0.7, 1.1, 0.8, 0.2, -0.4]), shape: [3, 3] };
    const labels = { values: Int32Array.from([2, 0, 1]), shape: [3], dtype: 'int32' as const };
    const probabilities = { values: Float32Array.from([0.2, 0.3, 0.5, 0.6, 0.1, 0.3, 0.3, 0.3, 0.4]), shape: [3, 3] };
    gradCheck((x, y) => softmaxCrossEntropy(x, y, { labelSmoothing: 0.1, weights: tensor([0.5, 2, 1.25]) }), [logits, labels]);
    gradCheck((x, y) => softmaxCrossEntropy(x, y, { reduction: 'none' }), [logits, probabilities]);
  });


  it('a label outside the classes is an error on the fused and the composed path', () => {
    for (const backend of [createCpuBackend(), { ...createCpuBackend(), softmaxCrossEntropy: undefined }]) {
      engine.withBackend(backend, () => {
        const logits = tensor([[1, 2, 3], [4, 5, 6]]);
        for (const bad of [3, -1, 7]) {
          // Row 1's label would read row 0's or row 2's logits on the composed path if unchecked.
          const labels = tensor([0, bad], [2], 'int32');
          expect(() => softmaxCrossEntropy(logits, labels)).toThrow(`softmaxCrossEntropy: label ${bad} at row 1 is outside [0, 3)`);
          labels.dispose();
        }
        logits.dispose();
      });
    }
  });

  it('labels on a device (composed path) give a NaN loss for a bad row, a finite one otherwise', async () => {
    // A stand-in for a GPU: the CPU backend, not host memory for the engine, without the fused kernel.
    const device = { ...createCpuBackend(), name: 'device', hostMemory: false, softmaxCrossEntropy: undefined };
    const [bad, good] = engine.withBackend(device as never, () => {
      const logits = tensor([[1, 2, 3], [4, 5, 6]]);
      return [softmaxCrossEntropy(logits, tensor([0, 3], [2], 'int32')), softmaxCrossEntropy(logits, tensor([0, 2], [2], 'int32'))];
    });
    expect(Number.isNaN(await bad.item())).toBe(true);
    expectClose([await good.item()], [(Math.log(Math.exp(1) + Math.exp(2) + Math.exp(3)) - 1 + Math.log(Math.exp(4) + Math.exp(5) + Math.exp(6)) - 6) / 2]);
  });

  it('names a label outside the classes, bad shapes and bad smoothing', () => {
    const labels = tensor([0, 3], [2], 'int32');
    expect(() => softmaxCrossEntropy(tensor([[1, 2, 3], [1, 2, 3]]), labels)).toThrow('softmaxCrossEntropy: label 3 at row 1 is outside [0, 3)');
    expect(() => softmaxCrossEntropy(tensor([[1, 2, 3]]), labels)).toThrow('softmaxCrossEntropy: int32 labels must be [1], got [2]');
    expect(() => softmaxCrossEntropy(tensor([[1, 2]]), tensor([0], [1], 'int32'), { labelSmoothing: 1 })).toThrow('softmaxCrossEntropy: labelSmoothing must be in [0, 1), got 1');
  });
});
