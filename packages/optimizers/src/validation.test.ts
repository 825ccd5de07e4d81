import { describe, expect, it } from 'vitest';
import { tensor, variable } from '@dendrite/core';
import { expectClose } from '@dendrite/core/testing';
import { Adagrad } from './adagrad.js';
import { Adam } from './adam.js';
import { AdamW } from './adamw.js';
import { RMSprop } from './rmsprop.js';
import { SGD } from './sgd.js';

describe('constructor validation', () => {
  const w = () => variable(tensor([1, 2]));

  it('rejects a NaN, infinite, negative or missing learning rate', () => {
    expect(() => new Adam([w()], { learningRate: NaN })).toThrow('Adam: learningRate must be a finite number ≥ 0, got NaN');
    expect(() => new SGD([w()], { learningRate: Infinity })).toThrow('SGD: learningRate must be a finite number ≥ 0, got Infinity');
    expect(() => new RMSprop([w()], { learningRate: -0.1 })).toThrow('RMSprop: learningRate must be a finite number ≥ 0, got -0.1');
    expect(() => new SGD([w()])).toThrow('SGD: learningRate is required');
    expect(() => new SGD([w()], { learningRate: '0.1' as never })).toThrow('SGD: learningRate must be a finite number ≥ 0, got 0.1');
  });

  it('rejects betas outside [0, 1), ε ≤ 0 and NaN momentum or weight decay', () => {
    expect(() => new Adam([w()], { beta1: 1 })).toThrow('Adam: beta1 must be a number in [0, 1), got 1');
    expect(() => new AdamW([w()], { beta2: -0.5 })).toThrow('AdamW: beta2 must be a number in [0, 1), got -0.5');
    expect(() => new Adam([w()], { epsilon: 0 })).toThrow('Adam: epsilon must be a finite number > 0, got 0');
    expect(() => new Adagrad([w()], { epsilon: -1e-10 })).toThrow('Adagrad: epsilon must be a finite number > 0, got -1e-10');
    expect(() => new SGD([w()], { learningRate: 0.1, momentum: NaN })).toThrow('SGD: momentum must be a finite number ≥ 0, got NaN');
    expect(() => new AdamW([w()], { weightDecay: NaN })).toThrow('AdamW: weightDecay must be a finite number ≥ 0, got NaN');
    expect(() => new RMSprop([w()], { alpha: 1 })).toThrow('RMSprop: alpha must be a number in [0, 1), got 1');
    expect(() => new SGD([w()], { learningRate: 0.1, dampening: 2 })).toThrow('SGD: dampening must be a number in [0, 1], got 2');
    expect(() => new Adam([w()], { amsgrad: 1 as never })).toThrow('Adam: amsgrad must be true or false, got 1');
  });

  it('rejects unknown option names, listing the valid ones', () => {
    expect(() => new Adam([w()], { lr: 0.1 } as never)).toThrow("Adam: unknown option 'lr'; valid options are learningRate, beta1, beta2, epsilon, weightDecay, amsgrad");
    expect(() => new Adam([w()], { nesterov: true } as never)).toThrow("Adam: unknown option 'nesterov'");
    expect(() => new RMSprop([w()], { rho: 0.9 } as never)).toThrow("RMSprop: unknown option 'rho'; valid options are learningRate, alpha, epsilon, weightDecay, momentum, centered");
    expect(() => new SGD([{ params: [w()], lr: 0.1 } as never], { learningRate: 0.1 })).toThrow("SGD: unknown option 'lr'; valid options are params, learningRate, momentum, dampening, nesterov, weightDecay");
  });

  it('checks Nesterov needs momentum and no dampening, in groups and on later changes too', () => {
    expect(() => new SGD([w()], { learningRate: 0.1, nesterov: true })).toThrow('SGD: nesterov needs momentum > 0 and dampening 0, got momentum 0 and dampening 0');
    const sgd = new SGD([w()], { learningRate: 0.1, momentum: 0.9, nesterov: true });
    expect(() => sgd.parameterGroups[0].set('dampening', 0.5)).toThrow('SGD: nesterov needs momentum > 0 and dampening 0');
    expect(sgd.parameterGroups[0].options.dampening).toBe(0);
  });

  it('rejects empty, frozen and repeated parameters and malformed groups', () => {
    expect(() => new Adam([])).toThrow(/Adam: no parameters to optimize \(a layers model has none until it is built: call model.build\(inputShape\)/);
    expect(() => new SGD([tensor([1])], { learningRate: 1 })).toThrow(/does not require grad/);
    const shared = w();
    expect(() => new Adam([{ params: [shared] }, { params: [shared] }])).toThrow(/Adam group 1: parameter #\d+ appears more than once/);
    expect(() => new Adam([w(), { params: [w()] }] as never)).toThrow('Adam: give either parameters or parameter groups ({ params, ...options }), not a mix');
    expect(() => new Adam([{ params: [w()], learningRate: -1 }, { params: [w()] }])).toThrow('Adam group 0: learningRate must be a finite number ≥ 0, got -1');
  });
});

describe('learning rates and groups', () => {
  it('learningRate sets every group; each group keeps its own rate and weight decay', () => {
    const a = variable(tensor([1]));
    const b = variable(tensor([1]));
    const sgd = new SGD([{ params: [a] }, { params: [b], learningRate: 1, weightDecay: 0.5 }], { learningRate: 0.1 });
    expect(sgd.parameterGroups.map((g) => [g.learningRate, g.weightDecay])).toEqual([[0.1, 0], [1, 0.5]]);
    sgd.step([tensor([1]), tensor([1])]);
    expectClose(a.dataSync(), [0.9], { atol: 1e-7 });
    expectClose(b.dataSync(), [1 - 1 * (1 + 0.5)], { atol: 1e-7 });
    sgd.learningRate = 0.01;
    expect(sgd.parameterGroups.map((g) => g.learningRate)).toEqual([0.01, 0.01]);
    expect(() => { sgd.learningRate = NaN; }).toThrow('SGD group 0: learningRate must be a finite number ≥ 0, got NaN');
    expect(sgd.parameterGroups.map((g) => g.learningRate)).toEqual([0.01, 0.01]);
    sgd.parameterGroups[1].learningRate = 0.5;
    expect(sgd.learningRate).toBe(0.01);
    expect(sgd.parameterGroups[1].options.learningRate).toBe(0.5);
  });
});
