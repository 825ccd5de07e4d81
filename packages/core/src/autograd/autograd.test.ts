import { describe, expect, it } from 'vitest';
import { backward } from './backward.js';
import { grad, valueAndGrad, variable, variableGrads } from './grad.js';
import { memory, noGrad, tidy } from '../engine.js';
import { add, div, exp, linear, matmul, max, mean, min, mul, randomNormal, relu, softmaxCrossEntropy, square, sub, sum, tensor, tanh } from '../ops/index.js';
import { expectClose } from '../testing/expect-close.js';

describe('autograd', () => {
  it('grad of sum(x^2) is 2x', () => {
    const x = tensor([1, 2, 3]);
    const [dx] = grad((t) => sum(square(t)))(x);
    expect(Array.from(dx.dataSync())).toEqual([2, 4, 6]);
  });

  it('valueAndGrad returns the value and accumulates through shared subexpressions', () => {
    const { value, grads } = valueAndGrad((a, b) => {
      const shared = mul(a, b);
      return sum(add(shared, mul(shared, a)));
    })(tensor([2]), tensor([3]));
    // f = ab + a²b: df/da = b + 2ab = 15, df/db = a + a² = 6
    expect(value.dataSync()[0]).toBe(18);
    expect(grads[0].dataSync()[0]).toBe(15);
    expect(grads[1].dataSync()[0]).toBe(6);
  });

  it('backward accumulates into variables and noGrad records nothing', () => {
    const w = variable(tensor([[1], [2]]));
    const x = tensor([[1, 1], [2, 0]]);
    tidy(() => backward(sum(matmul(x, w))));
    expectClose(w.grad!.dataSync(), [3, 1]);
    tidy(() => backward(sum(matmul(x, w))));
    expectClose(w.grad!.dataSync(), [6, 2]);
    const y = noGrad(() => matmul(x, w));
    expect(y.gradNode).toBeNull();
    expect(() => backward(y)).toThrow(/does not depend on anything that requires grad/);
  });

  it('gives zero gradients for unused arguments and handles deep chains without stack overflow', () => {
    const [da, db] = grad((a, _b) => sum(a))(tensor([1, 2]), tensor([5]));
    expect(Array.from(da.dataSync())).toEqual([1, 1]);
    expect(Array.from(db.dataSync())).toEqual([0]);
    const [dx] = grad((x) => {
      let y = x;
      for (let i = 0; i < 20000; i++) y = add(y, 0);
      return sum(y);
    })(tensor([1]));
    expect(dx.dataSync()[0]).toBe(1);
  });

  it('fits a linear regression by gradient descent', () => {
    const x = randomNormal([64, 3], 0, 1, 7);
    const trueW = tensor([[2], [-1], [0.5]]);
    const y = matmul(x, trueW);
    const w = variable(tensor([[0], [0], [0]]));
    for (let step = 0; step < 200; step++) {
      tidy(() => {
        const { grads } = variableGrads(() => mean(square(sub(matmul(x, w), y))), [w]);
        w.assign(sub(w, mul(grads[0], 0.1)));
      });
    }
    expectClose(w.dataSync(), [2, -1, 0.5], { atol: 1e-3 });
  });

  it('leaks nothing over 1,000 training steps of a small MLP', () => {
    const w1 = variable(randomNormal([8, 16], 0, 0.3, 1));
    const b1 = variable(tensor(new Float32Array(16)));
    const w2 = variable(randomNormal([16, 3], 0, 0.3, 2));
    const x = randomNormal([32, 8], 0, 1, 3);
    const labels = tensor(Int32Array.from({ length: 32 }, (_, i) => i % 3), [32], 'int32');
    const params = [w1, b1, w2];
    // Measured after the first step: until then each variable still shares its initial buffer.
    let start = memory();
    let firstLoss = 0;
    let lastLoss = 0;
    for (let step = 0; step < 1000; step++) {
      const loss = tidy(() => {
        const { value, grads } = variableGrads(() => {
          const hidden = linear(x, w1, { bias: b1, activation: 'relu' });
          return softmaxCrossEntropy(matmul(tanh(hidden), w2), labels);
        }, params);
        params.forEach((p, i) => p.assign(sub(p, mul(grads[i], 0.05))));
        return value;
      });
      if (step === 0) {
        firstLoss = loss.dataSync()[0];
        loss.dispose();
        start = memory();
        continue;
      }
      if (step === 999) lastLoss = loss.dataSync()[0];
      loss.dispose();
    }
    const end = memory();
    expect(end.tensors).toBe(start.tensors);
    expect(end.buffers).toBe(start.buffers);
    expect(end.bytes).toBe(start.bytes);
    expect(lastLoss).toBeLessThan(firstLoss * 0.5);
  });

  it('max and min share the gradient equally among tied extrema', () => {
    const [dRows] = grad((t) => sum(max(t, 1)))(tensor([[1, 3, 3], [2, 0, 1]]));
    expectClose(dRows.dataSync(), [0, 0.5, 0.5, 1, 0, 0]);
    const [dAll] = grad((t) => min(t))(tensor([2, 1, 1, 3, 1]));
    expectClose(dAll.dataSync(), [0, 1 / 3, 1 / 3, 0, 1 / 3]);
  });

  it('relu gradient and division gradient match hand values', () => {
    const [dx] = grad((t) => sum(relu(t)))(tensor([-1, 2]));
    expect(Array.from(dx.dataSync())).toEqual([0, 1]);
    const [da, db] = grad((a, b) => sum(div(a, b)))(tensor([3]), tensor([2]));
    expectClose(da.dataSync(), [0.5]);
    expectClose(db.dataSync(), [-0.75]);
    const [de] = grad((t) => sum(exp(t)))(tensor([0, 1]));
    expectClose(de.dataSync(), [1, Math.E]);
  });
});
