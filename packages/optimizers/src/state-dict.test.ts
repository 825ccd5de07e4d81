import { describe, expect, it } from 'vitest';
import { memory, randomNormal, tensor, variable, type Tensor } from '@dendrite/core';
import { Adagrad } from './adagrad.js';
import { Adam } from './adam.js';
import { AdamW } from './adamw.js';
import type { Optimizer, OptimizerParameters } from './optimizer.js';
import { RMSprop } from './rmsprop.js';
import { SGD } from './sgd.js';

type Variable = ReturnType<typeof variable>;
type Groups = OptimizerParameters<Record<string, number | boolean>>;
const makers: Array<[string, (groups: Groups) => Optimizer]> = [
  ['SGD', (g) => new SGD(g as never, { learningRate: 0.1, momentum: 0.9, dampening: 0.1 })],
  ['Adagrad', (g) => new Adagrad(g as never, { learningRate: 0.1, learningRateDecay: 0.01 })],
  ['RMSprop', (g) => new RMSprop(g as never, { learningRate: 0.01, centered: true, momentum: 0.3 })],
  ['Adam', (g) => new Adam(g as never, { learningRate: 0.01, amsgrad: true })],
  ['AdamW', (g) => new AdamW(g as never, { learningRate: 0.01 })],
];

/** Three parameters in two groups; the third gets no gradient before step 3, so steps differ per parameter. */
function setup(make: (groups: Groups) => Optimizer) {
  const parameters = [variable(randomNormal([3, 2], 0, 1, 1)), variable(randomNormal([4], 0, 1, 2)), variable(randomNormal([2], 0, 1, 3))];
  const optimizer = make([{ params: [parameters[0]] }, { params: [parameters[1], parameters[2]], learningRate: 0.02, weightDecay: 0.1 }] as never);
  return { parameters, optimizer };
}
const gradientsAt = (step: number): Array<Tensor | null> =>
  [randomNormal([3, 2], 0, 1, 100 + step), randomNormal([4], 0, 1, 200 + step), step < 2 ? null : randomNormal([2], 0, 1, 300 + step)];
const run = (optimizer: Optimizer, from: number, to: number) => {
  for (let step = from; step < to; step++) optimizer.step(gradientsAt(step));
};
const values = (parameters: Variable[]) => parameters.map((p) => Array.from(p.dataSync()));

describe('stateDict / loadStateDict', () => {
  it.each(makers)('%s: N steps, save, M more equals N + M uninterrupted, bit for bit', (_, make) => {
    const uninterrupted = setup(make);
    run(uninterrupted.optimizer, 0, 7);

    const first = setup(make);
    run(first.optimizer, 0, 4);
    const saved = first.optimizer.stateDict();
    const savedWeights = first.parameters.map((p) => Array.from(p.dataSync()));
    // The config survives JSON (a checkpoint file) unchanged.
    const config = JSON.parse(JSON.stringify(saved.config)) as Record<string, unknown>;
    expect(config).toEqual(saved.config);
    expect(config.steps).toEqual([4, 4, 2]);
    first.optimizer.dispose();

    const resumed = setup(make);
    resumed.parameters.forEach((p, i) => p.assign(tensor(savedWeights[i], p.shape)));
    resumed.optimizer.loadStateDict({ config, tensors: saved.tensors });
    for (const t of Object.values(saved.tensors)) t.dispose(); // loaded state is a copy
    expect(resumed.optimizer.iterations).toBe(4);
    run(resumed.optimizer, 4, 7);
    expect(values(resumed.parameters)).toEqual(values(uninterrupted.parameters));
    expect(resumed.optimizer.parameterGroups[1].options).toEqual(uninterrupted.optimizer.parameterGroups[1].options);
    resumed.optimizer.dispose();
    uninterrupted.optimizer.dispose();
  });

  it('names tensors as PyTorch and records groups and per-parameter steps', () => {
    const { optimizer } = setup(makers[3][1]);
    run(optimizer, 0, 2);
    const state = optimizer.stateDict();
    expect(Object.keys(state.tensors).sort()).toEqual(['0.exp_avg', '0.exp_avg_sq', '0.max_exp_avg_sq', '1.exp_avg', '1.exp_avg_sq', '1.max_exp_avg_sq']);
    expect(state.config).toEqual({
      optimizer: 'Adam', iterations: 2, steps: [2, 2, 0],
      groups: [
        { learningRate: 0.01, beta1: 0.9, beta2: 0.999, epsilon: 1e-8, weightDecay: 0, amsgrad: true, parameters: [0] },
        { learningRate: 0.02, beta1: 0.9, beta2: 0.999, epsilon: 1e-8, weightDecay: 0.1, amsgrad: true, parameters: [1, 2] },
      ],
    });
    for (const t of Object.values(state.tensors)) t.dispose();
    optimizer.dispose();
  });

  it('rejects mismatched state with clear errors and changes nothing', () => {
    const { optimizer, parameters } = setup(makers[3][1]);
    run(optimizer, 0, 3);
    const state = optimizer.stateDict();
    const before = memory().tensors;
    const withTensors = (tensors: Record<string, Tensor>) => ({ config: state.config, tensors });
    const withConfig = (patch: Record<string, unknown>) => ({ config: { ...state.config, ...patch }, tensors: state.tensors });
    const { ['2.exp_avg']: _dropped, ...missing } = state.tensors;
    const cases: Array<[unknown, string]> = [
      [withConfig({ optimizer: 'SGD' }), 'Adam.loadStateDict: the state dict is from SGD, not Adam'],
      [withConfig({ steps: [3, 3] }), 'Adam.loadStateDict: config.steps must be 3 non-negative integers (one per parameter)'],
      [withConfig({ groups: [(state.config.groups as unknown[])[0]] }), 'Adam.loadStateDict: the state dict has 1 parameter groups, this optimizer 2'],
      [withConfig({ iterations: -1 }), 'Adam.loadStateDict: config.iterations must be a non-negative integer, got -1'],
      [withConfig({ groups: [{ ...(state.config.groups as object[])[0], lr: 1 }, (state.config.groups as unknown[])[1]] }), "Adam.loadStateDict group 0: unknown option 'lr'"],
      [withTensors(missing), "Adam.loadStateDict: parameter 2 (step 1) lacks '2.exp_avg'"],
      [withTensors({ ...state.tensors, '0.momentum_buffer': tensor([[1, 2], [3, 4], [5, 6]]) }), "Adam.loadStateDict: unexpected tensor '0.momentum_buffer' for parameter 0"],
      [withTensors({ ...state.tensors, '0.exp_avg': tensor([1, 2]) }), "Adam.loadStateDict: tensor '0.exp_avg' is float32 [2], parameter 0 is float32 [3, 2]"],
      [withTensors({ ...state.tensors, '9.exp_avg': tensor([1]) }), "Adam.loadStateDict: unexpected tensor '9.exp_avg'"],
      [{ tensors: {} }, 'Adam.loadStateDict: expected { config, tensors } as stateDict() returns'],
    ];
    const weights = values(parameters);
    for (const [bad, message] of cases) expect(() => optimizer.loadStateDict(bad as never), message).toThrow(message);
    expect(memory().tensors).toBe(before + 3); // the three tensors made for the bad cases
    expect(values(parameters)).toEqual(weights);
    expect(optimizer.stateDict().config).toEqual(state.config);
    optimizer.dispose();
  });
});
