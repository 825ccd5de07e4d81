import { tensor, type Tensor } from '@dendrite/core';
import { expectClose } from '@dendrite/core/testing';
import { describe, expect, it } from 'vitest';
import { Concatenate } from './concatenate.js';
import { Dense } from './dense.js';
import { model } from './functional.js';
import { modelFromBytes, modelToBytes } from './serialization/bytes.js';
import { input } from './symbolic.js';
import { checkLayerGradients } from './test-utils.js';

const values = (n: number, seed: number) => new Float32Array(n).map((_, i) => Math.sin(seed * 2.9 + i * 1.37));

describe('Concatenate', () => {
  it('joins its inputs along the feature axis, row by row', () => {
    const a = tensor([1, 2, 3, 4], [2, 2]);
    const b = tensor([5, 6, 7, 8, 9, 10], [2, 3]);
    const joined = new Concatenate().apply([a, b]);
    expect(joined.shape).toEqual([2, 5]);
    expect(Array.from(joined.dataSync())).toEqual([1, 2, 5, 6, 7, 3, 4, 8, 9, 10]);
    expect(new Concatenate({ axis: 1 }).apply([tensor(values(12, 1), [2, 2, 3]), tensor(values(6, 2), [2, 1, 3])]).shape).toEqual([2, 3, 3]);
  });

  it('passes finite-difference gradient checks for every input', () => {
    checkLayerGradients(new Concatenate(), [{ values: values(6, 3), shape: [2, 3] }, { values: values(4, 4), shape: [2, 2] }]);
  });

  it('joins two branches of a functional model, which saves and loads', async () => {
    const x = input({ shape: [4] });
    const joined = new Concatenate({ name: 'both' }).apply([new Dense({ units: 3, seed: 1 }).apply(x), new Dense({ units: 2, seed: 2 }).apply(x)]);
    expect(joined.shape).toEqual([-1, 5]);
    const net = model({ inputs: x, outputs: new Dense({ units: 1, seed: 3 }).apply(joined) });
    const batch = tensor(values(8, 5), [2, 4]);
    const loaded = await modelFromBytes(await modelToBytes(net));
    expectClose((loaded.apply(batch) as Tensor).dataSync(), (net.apply(batch) as Tensor).dataSync(), { atol: 0, rtol: 0 });
  });

  it('refuses a single tensor, mismatched shapes and the batch axis', () => {
    expect(() => new Concatenate({ axis: 0 })).toThrow(/axis must be a non-zero integer \(0 is the batch axis\), got 0/);
    expect(() => new Concatenate({ name: 'join' }).apply([tensor([1, 2], [1, 2])])).toThrow(/join: Concatenate takes a list of at least 2 tensors, got 1/);
    expect(() => new Concatenate({ name: 'join' }).apply([tensor([1, 2], [1, 2]), tensor([1, 2], [2, 1])]))
      .toThrow(/join: input 1 has shape \[2, 1\], which does not match \[1, 2\] except on axis -1/);
    expect(() => new Concatenate({ axis: 3, name: 'join' }).apply([tensor([1, 2], [1, 2]), tensor([1, 2], [1, 2])])).toThrow(/axis 3 is not a non-batch axis of rank-2 inputs/);
  });
});
