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

  it('names a label outside the classes', () => {
    const labels = tensor([0, 3], [2], 'int32');
    expect(() => softmaxCrossEntropy(tensor([[1, 2, 3], [1, 2, 3]]), labels)).toThrow('softmaxCrossEntropy: label 3 at row 1 is outside [0, 3)');
  });
});
