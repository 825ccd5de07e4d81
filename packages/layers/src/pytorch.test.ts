import { DendriteError, randomNormal, tensor, tidy, transpose, zeros } from '@dendrite/core';
import { expectClose } from '@dendrite/core/testing';
import { describe, expect, it } from 'vitest';
import { MultiHeadAttention } from './attention.js';
import { Conv1D } from './conv1d.js';
import { Conv2D } from './conv2d.js';
import { Dense } from './dense.js';
import { Embedding } from './embedding.js';
import { BatchNorm, LayerNorm } from './normalization.js';
import { loadPyTorchStateDict, pytorchStateDict } from './pytorch.js';
import { GRU } from './recurrent/gru.js';
import { sequential } from './sequential.js';

describe('loadPyTorchStateDict / pytorchStateDict', () => {
  it('converts layouts: Linear [out, in], Conv2d OIHW, Conv1d [out, in, k], LSTM/GRU gates, BatchNorm statistics', () => tidy(() => {
    const dense = new Dense({ units: 3, seed: 1 });
    dense.build([1, 2]);
    const weight = tensor([[1, 2], [3, 4], [5, 6]]);
    loadPyTorchStateDict(dense, { weight, bias: tensor([7, 8, 9]) });
    expect(dense.kernel.arraySync()).toEqual([[1, 3, 5], [2, 4, 6]]);

    const conv = new Conv2D({ filters: 2, kernelSize: [1, 2], seed: 1 });
    conv.build([1, 3, 3, 3]);
    const oihw = randomNormal([2, 3, 1, 2], 0, 1, 1);
    loadPyTorchStateDict(conv, { weight: oihw, bias: zeros([2]) });
    expect(conv.kernel.shape).toEqual([1, 2, 3, 2]);
    expectClose(conv.kernel.dataSync(), transpose(oihw, [2, 3, 1, 0]).dataSync());

    const conv1d = new Conv1D({ filters: 4, kernelSize: 3, seed: 1 });
    conv1d.build([1, 6, 2]);
    expect(pytorchStateDict(conv1d).weight.shape).toEqual([4, 2, 3]);

    const gru = new GRU({ units: 2, seed: 1 });
    gru.build([1, 3, 5]);
    const state = pytorchStateDict(gru);
    expect(Object.fromEntries(Object.entries(state).map(([key, value]) => [key, value.shape]))).toEqual({
      weight_ih_l0: [6, 5], weight_hh_l0: [6, 2], bias_ih_l0: [6], bias_hh_l0: [6],
    });

    const norm = new BatchNorm({});
    norm.build([2, 3]);
    const report = loadPyTorchStateDict(norm, {
      weight: tensor([1, 2, 3]), bias: tensor([0, 0, 1]), running_mean: tensor([0.5, 0.5, 0.5]), running_var: tensor([2, 2, 2]),
      num_batches_tracked: tensor([7], [], 'int32'),
    });
    expect(report).toEqual({ missingKeys: [], unexpectedKeys: [] });
    expect(norm.stateDict().runningVariance.dataSync()).toEqual(new Float32Array([2, 2, 2]));
    expect(Object.keys(pytorchStateDict(norm)).sort()).toEqual(['bias', 'running_mean', 'running_var', 'weight']);
  }));

  it('models use torch dotted names, and a round trip gives the same outputs', () => tidy(() => {
    const make = (seed: number) => sequential([
      new Embedding({ inputDim: 10, outputDim: 4 }),
      new GRU({ units: 3, returnSequences: true }),
      new LayerNorm({}),
      new MultiHeadAttention({ numHeads: 1 }),
      new Conv1D({ filters: 2, kernelSize: 2 }),
    ], { seed });
    const ids = tensor([[1, 2, 3], [4, 5, 0]], [2, 3], 'int32');
    const source = make(1);
    const target = make(2);
    const expected = source.apply(ids).dataSync();
    expect(target.apply(ids).dataSync()).not.toEqual(expected);
    const state = pytorchStateDict(source);
    expect(Object.keys(state)).toEqual([
      '0.weight', '1.weight_ih_l0', '1.weight_hh_l0', '1.bias_ih_l0', '1.bias_hh_l0', '2.weight', '2.bias',
      '3.in_proj_weight', '3.out_proj.weight', '3.in_proj_bias', '3.out_proj.bias', '4.weight', '4.bias',
    ]);
    expect(state['3.in_proj_weight'].shape).toEqual([9, 3]);
    expect(loadPyTorchStateDict(target, state)).toEqual({ missingKeys: [], unexpectedKeys: [] });
    expectClose(target.apply(ids).dataSync(), expected, { atol: 1e-6, rtol: 1e-6 });
  }));

  it('strict refuses missing and unexpected keys; non-strict reports them in PyTorch names', () => tidy(() => {
    const dense = new Dense({ units: 2, seed: 1 });
    dense.build([1, 2]);
    const before = dense.kernel.dataSync();
    expect(() => loadPyTorchStateDict(dense, { weight: zeros([2, 2]), extra: zeros([1]) }))
      .toThrow(/missing keys bias; unexpected keys extra/);
    expect(dense.kernel.dataSync()).toEqual(before);
    expect(loadPyTorchStateDict(dense, { weight: zeros([2, 2]), extra: zeros([1]) }, { strict: false }))
      .toEqual({ missingKeys: ['bias'], unexpectedKeys: ['extra'] });
    expect(dense.kernel.dataSync()).toEqual(new Float32Array(4));
  }));

  it('a wrong shape names the PyTorch key, its shape and the one expected, and changes nothing', () => tidy(() => {
    const gru = new GRU({ units: 2, seed: 1 });
    gru.build([1, 3, 4]);
    const state = pytorchStateDict(gru);
    const before = gru.kernel.dataSync();
    expect(() => loadPyTorchStateDict(gru, { ...state, weight_ih_l0: zeros([6, 5]) }))
      .toThrow(/'weight_ih_l0' is float32 \[6, 5\] but kernel needs float32 \[6, 4\] in PyTorch's layout/);
    expect(gru.kernel.dataSync()).toEqual(before);
    const attention = new MultiHeadAttention({ numHeads: 2, seed: 1 });
    attention.build([1, 2, 4]);
    expect(() => loadPyTorchStateDict(attention, { ...pytorchStateDict(attention), in_proj_weight: zeros([8, 4]) }))
      .toThrow(/'in_proj_weight' is float32 \[8, 4\] but queryKernel, keyKernel, valueKernel needs float32 \[12, 4\]/);
    expect(() => loadPyTorchStateDict(new Dense({ units: 1 }), {})).toThrow(DendriteError);
    expect(() => loadPyTorchStateDict(new Dense({ units: 1 }), {})).toThrow(/not built yet/);
  }));

  it('the exported tensors are the caller\'s: disposing them leaves the layer intact', () => tidy(() => {
    const dense = new Dense({ units: 2, seed: 1 });
    dense.build([1, 2]);
    const before = dense.bias!.dataSync();
    for (const value of Object.values(pytorchStateDict(dense))) value.dispose();
    expect(dense.bias!.dataSync()).toEqual(before);
    expect(dense.kernel.isDisposed).toBe(false);
  }));
});
