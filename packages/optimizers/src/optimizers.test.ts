import { describe, expect, it } from 'vitest';
import { backward, matmul, mean, memory, randomNormal, square, sub, tensor, tidy, variable, variableGrads, type Tensor } from '@dendrite/core';
import { createCpuBackend, engine } from '@dendrite/core/backend';
import { expectClose } from '@dendrite/core/testing';
import { Adagrad } from './adagrad.js';
import { Adam } from './adam.js';
import { AdamW } from './adamw.js';
import type { Optimizer } from './optimizer.js';
import { RMSprop } from './rmsprop.js';
import { SGD } from './sgd.js';

type Variable = ReturnType<typeof variable>;
const makers: Array<[string, (parameters: Variable[]) => Optimizer]> = [
  ['SGD', (p) => new SGD(p, { learningRate: 0.1, momentum: 0.5, nesterov: true })],
  ['Adagrad', (p) => new Adagrad(p, { learningRate: 0.3 })],
  ['RMSprop', (p) => new RMSprop(p, { learningRate: 0.01, centered: true, momentum: 0.5 })],
  ['Adam', (p) => new Adam(p, { learningRate: 0.05, amsgrad: true })],
  ['AdamW', (p) => new AdamW(p, { learningRate: 0.05, weightDecay: 1e-4 })],
];

describe('optimizers', () => {
  it('Adam moves each weight by lr·sign(g) on its first step, whenever that step comes', () => {
    const w = variable(tensor([1, -2]));
    const late = variable(tensor([1]));
    const adam = new Adam([w, late], { learningRate: 0.1 });
    adam.step([tensor([0.5, -3]), null]);
    adam.step([tensor([0.5, -3]), null]);
    adam.step([tensor([0.5, -3]), tensor([2])]);
    expectClose(w.dataSync(), [0.7, -1.7], { atol: 1e-6 });
    // Its own first step: 0.9, not the 0.936 a global step count (3) would give.
    expectClose(late.dataSync(), [0.9], { atol: 1e-6 });
    expect([adam.iterations, adam.stepCount(w), adam.stepCount(late)]).toEqual([3, 3, 1]);
  });

  it.each(makers)('%s fits a linear regression from .grad and leaks nothing', (_, make) => {
    const x = randomNormal([128, 4], 0, 1, 3);
    const y = matmul(x, tensor([[1], [-2], [3], [0.5]]));
    const w = variable(tensor(new Float32Array(4), [4, 1]));
    const optimizer = make([w]);
    let before = memory();
    for (let step = 0; step < 300; step++) {
      if (step === 2) before = memory();
      tidy(() => {
        optimizer.zeroGrad();
        backward(mean(square(sub(matmul(x, w), y))));
        optimizer.step();
      });
    }
    expect(memory().tensors).toBe(before.tensors);
    expectClose(w.dataSync(), [1, -2, 3, 0.5], { atol: 5e-2 });
    optimizer.zeroGrad();
    optimizer.dispose();
  });

  it('Adam and AdamW give the same trajectory with the fused CPU kernel and the composed ops', () => {
    const run = (backend: ReturnType<typeof createCpuBackend>, make: (p: Variable[]) => Optimizer) => engine.withBackend(backend, () => {
      const w = variable(randomNormal([20, 3], 0, 1, 4));
      const optimizer = make([w]);
      for (let step = 0; step < 5; step++) optimizer.step([randomNormal([20, 3], 0, 1, 10 + step)]);
      return w.dataSync();
    });
    for (const make of [(p: Variable[]) => new Adam(p, { learningRate: 0.01 }), (p: Variable[]) => new AdamW(p, { learningRate: 0.01, weightDecay: 0.1 })]) {
      const fused = run(createCpuBackend(), make);
      const composed = run({ ...createCpuBackend(), adamUpdate: undefined }, make);
      expectClose(fused, composed, { atol: 1e-6, rtol: 1e-5 });
    }
  });
});

describe('atomic steps', () => {
  it.each(makers)('%s: a bad gradient anywhere changes no parameter and counts no step', (_, make) => {
    const first = variable(tensor([1, 2]));
    const second = variable(tensor([3]));
    const optimizer = make([first, second]);
    optimizer.step([tensor([0.1, 0.2]), tensor([0.3])]);
    const values = [first.dataSync().slice(), second.dataSync().slice()];
    const disposed = tensor([1]);
    disposed.dispose();
    const bad: Array<[Array<Tensor | null>, RegExp]> = [
      [[tensor([1, 2]), tensor([1, 2, 3])], /step: gradient \[3\] does not match parameter \[1\]/],
      [[tensor([1, 2]), tensor([1], [1], 'int32')], /step: gradient 1 is int32, expected float32/],
      [[tensor([1, 2]), disposed], /step: gradient 1 was disposed/],
      [[tensor([1, 2])], /step: got 1 gradients for 2 parameters/],
    ];
    for (const [gradients, message] of bad) expect(() => optimizer.step(gradients)).toThrow(message);
    expect(first.dataSync()).toEqual(values[0]);
    expect(second.dataSync()).toEqual(values[1]);
    expect([optimizer.iterations, optimizer.stepCount(first), optimizer.stepCount(second)]).toEqual([1, 1, 1]);
    optimizer.dispose();
    expect(() => optimizer.step([tensor([1, 2]), tensor([1])])).toThrow(/step: the optimizer was disposed/);
    expect(() => optimizer.stateDict()).toThrow(/stateDict: the optimizer was disposed/);
  });

  it('a step with a gradient from variableGrads works after a rejected one', () => {
    const w = variable(tensor([1, 2]));
    const adam = new Adam([w]);
    expect(() => adam.step([tensor([1, 2, 3])])).toThrow('Adam.step: gradient [3] does not match parameter [2]');
    const { grads } = variableGrads(() => mean(square(w)), [w]);
    adam.step(grads);
    expect(adam.iterations).toBe(1);
    expectClose(w.dataSync(), [1 - 1e-3, 2 - 1e-3], { atol: 1e-6 });
  });
});
