import { randomNormal, softmaxCrossEntropy, tensor, tidy, variableGrads, type Tensor } from '@dendrite/core';
import { Adam } from '@dendrite/optimizers';
import { describe, expect, it } from 'vitest';
import { Dense } from './dense.js';
import { model } from './functional.js';
import type { Layer } from './layer.js';
import { BatchNorm } from './normalization.js';
import { sequential } from './sequential.js';
import { input } from './symbolic.js';
import { addHead, cutModel, freeze, unfreeze } from './transfer.js';

function train(net: Layer<Tensor, Tensor>, x: Tensor, labels: Tensor, steps: number) {
  const parameters = net.parameters({ trainableOnly: true });
  const optimizer = new Adam(parameters, { learningRate: 0.05 });
  for (let step = 0; step < steps; step++) {
    tidy(() => {
      const { grads } = variableGrads(() => softmaxCrossEntropy(net.apply(x), labels), parameters);
      optimizer.step(grads);
    });
  }
}

const snapshot = (tensors: Tensor[]) => tensors.map((t) => Array.from(t.dataSync()));

describe('transfer learning', () => {
  it('a frozen base stays bit-identical while a new head trains on it', () => {
    const x = randomNormal([16, 4], 0, 1, 1);
    const labels = tensor(Array.from({ length: 16 }, (_, i) => i % 3), [16], 'int32');
    const pretrained = sequential([
      new Dense({ units: 8, activation: 'relu', name: 'hidden' }), new BatchNorm({ name: 'norm' }),
      new Dense({ units: 6, activation: 'tanh', name: 'features' }), new Dense({ units: 3, name: 'old_head' }),
    ], { seed: 7, name: 'pretrained' });
    pretrained.build(x.shape);
    train(pretrained, x, labels, 3);

    const base = freeze(cutModel(pretrained, 'features'));
    expect(base.layers.map((layer) => layer.name)).toEqual(['hidden', 'norm', 'features']);
    expect(base.parameters({ trainableOnly: true })).toEqual([]);
    const frozenBefore = snapshot(base.parameters());
    const head = new Dense({ units: 2, name: 'new_head', seed: 3 });
    const tuned = addHead(base, [head]);
    // Eval mode for the frozen base's batch norm is the caller's choice; here it keeps training mode,
    // so its running statistics (buffers, not parameters) may move — the parameters must not.
    const headBefore = snapshot(head.parameters());
    train(tuned as Layer<Tensor, Tensor>, x, tensor(Array.from({ length: 16 }, (_, i) => i % 2), [16], 'int32'), 5);
    expect(snapshot(base.parameters())).toEqual(frozenBefore);
    expect(snapshot(head.parameters())).not.toEqual(headBefore);
    expect(tuned.parameters({ trainableOnly: true })).toEqual(head.parameters());
    // The cut shares the original's weights.
    expect(base.parameters()[0]).toBe(pretrained.parameters()[0]);

    // Unfreezing fine-tunes the base too.
    unfreeze(base);
    train(tuned as Layer<Tensor, Tensor>, x, tensor(Array.from({ length: 16 }, (_, i) => i % 2), [16], 'int32'), 2);
    expect(snapshot(base.parameters())).not.toEqual(frozenBefore);
    expect(() => cutModel(pretrained, 'nope')).toThrow(/no layer named 'nope' \(layers: hidden, norm, features, old_head\)/);
  });

  it('cuts a functional model at a named layer and adds a head on the same inputs', () => {
    const a = input({ shape: [3] });
    const features = new Dense({ units: 4, name: 'f', seed: 1 }).apply(a);
    const net = model({ inputs: a, outputs: new Dense({ units: 2, name: 'out', seed: 2 }).apply(features) });
    const cut = cutModel(net, 'f');
    expect(cut.outputShape([-1, 3])).toEqual([-1, 4]);
    const tuned = addHead(freeze(cut), [new Dense({ units: 5, name: 'new', seed: 3 })]);
    const y = tuned.apply(randomNormal([2, 3], 0, 1, 4)) as Tensor;
    expect(y.shape).toEqual([2, 5]);
    expect(tuned.parameters({ trainableOnly: true }).map((p) => p.shape)).toEqual([[4, 5], [5]]);
  });
});
