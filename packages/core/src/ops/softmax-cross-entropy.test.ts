import { describe, expect, it } from 'vitest';
import { createCpuBackend } from '../backends/cpu/cpu-backend.js';
import { valueAndGrad } from '../autograd/grad.js';
import { engine } from '../engine.js';
import { expectClose } from '../testing/expect-close.js';
import { tensor } from './creation.js';
import { randomNormal } from './random.js';
import { softmaxCrossEntropy } from './softmax-cross-entropy.js';

describe('softmaxCrossEntropy', () => {
  it('the fused CPU kernel matches the composed ops, value and gradient', () => {
    const run = (backend: ReturnType<typeof createCpuBackend>) => engine.withBackend(backend, () => {
      const logits = randomNormal([33, 7], 0, 3, 8);
      const labels = tensor(Int32Array.from({ length: 33 }, (_, i) => (i * 5) % 7), [33], 'int32');
      const { value, grads } = valueAndGrad((x) => softmaxCrossEntropy(x, labels))(logits);
      return [value.dataSync(), grads[0].dataSync()];
    });
    const fused = run(createCpuBackend());
    const composed = run({ ...createCpuBackend(), softmaxCrossEntropy: undefined });
    expectClose(fused[0], composed[0], { atol: 1e-6, rtol: 1e-5 });
    expectClose(fused[1], composed[1], { atol: 1e-6, rtol: 1e-5 });
  });

  it('names a label outside the classes', () => {
    const labels = tensor([0, 3], [2], 'int32');
    expect(() => softmaxCrossEntropy(tensor([[1, 2, 3], [1, 2, 3]]), labels)).toThrow('softmaxCrossEntropy: label 3 at row 1 is outside [0, 3)');
  });
});
