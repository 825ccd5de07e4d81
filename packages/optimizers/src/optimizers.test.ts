import { describe, expect, it } from 'vitest';
import { backward, memory, mean, square, sub, tensor, tidy, variable, variableGrads, matmul, randomNormal } from '@dendrite/core';
import { expectClose } from '@dendrite/core/testing';
import { Adam } from './adam.js';
import { SGD } from './sgd.js';

describe('optimizers', () => {
  it('Adam matches a hand-computed first step', () => {
    const w = variable(tensor([1, -2]));
    const adam = new Adam([w], { learningRate: 0.1 });
    adam.step([tensor([0.5, -3])]);
    // First step of Adam moves each weight by lr * sign(g) (up to epsilon).
    expectClose(w.dataSync(), [0.9, -1.9], { atol: 1e-6 });
  });

  it('SGD with momentum matches PyTorch formulation', () => {
    const w = variable(tensor([1]));
    const sgd = new SGD([w], { learningRate: 0.1, momentum: 0.9 });
    sgd.step([tensor([1])]); // v = 1, w = 0.9
    sgd.step([tensor([1])]); // v = 1.9, w = 0.71
    expectClose(w.dataSync(), [0.71], { atol: 1e-6 });
  });

  it('SGD adds weight decay to the gradient', () => {
    const w = variable(tensor([1, -2]));
    const sgd = new SGD([w], { learningRate: 0.1, weightDecay: 0.5 });
    sgd.step([tensor([1, 1])]); // g = 1 + 0.5 w = [1.5, 0], w = [0.85, -2]
    expectClose(w.dataSync(), [0.85, -2], { atol: 1e-6 });
  });

  it('both fit a linear regression from .grad and leak nothing', () => {
    const x = randomNormal([128, 4], 0, 1, 3);
    const y = matmul(x, tensor([[1], [-2], [3], [0.5]]));
    for (const make of [(p: ReturnType<typeof variable>) => new Adam([p], { learningRate: 0.05 }), (p: ReturnType<typeof variable>) => new SGD([p], { learningRate: 0.1, momentum: 0.5 })]) {
      const w = variable(tensor(new Float32Array(4), [4, 1]));
      const optimizer = make(w);
      let before = memory();
      for (let step = 0; step < 400; step++) {
        if (step === 2) before = memory();
        tidy(() => {
          optimizer.zeroGrad();
          backward(mean(square(sub(matmul(x, w), y))));
          optimizer.step();
        });
      }
      expect(memory().tensors).toBe(before.tensors);
      expectClose(w.dataSync(), [1, -2, 3, 0.5], { atol: 2e-2 });
      optimizer.zeroGrad();
      optimizer.dispose();
    }
  });

  it('rejects mismatched gradients and frozen parameters with clear errors', () => {
    const w = variable(tensor([1, 2]));
    const adam = new Adam([w]);
    expect(() => adam.step([tensor([1, 2, 3])])).toThrow('Adam.step: gradient [3] does not match parameter [2]');
    expect(() => adam.step([])).toThrow('Adam.step: got 0 gradients for 1 parameters');
    expect(() => new SGD([tensor([1])], { learningRate: 1 })).toThrow(/does not require grad/);
    // A rejected step neither moves the parameter nor counts for bias correction.
    expect(adam.iterations).toBe(0);
    expectClose(w.dataSync(), [1, 2], { atol: 0 });
    const { grads } = variableGrads(() => mean(square(w)), [w]);
    adam.step(grads);
    expect(adam.iterations).toBe(1);
    expectClose(w.dataSync(), [1 - 1e-3, 2 - 1e-3], { atol: 1e-6 });
  });
});
