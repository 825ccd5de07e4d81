import { DendriteError, Tensor, concat, randomNormal, slice, tensor, tidy, zeros } from '@dendrite/core';
import { expectClose } from '@dendrite/core/testing';
import { describe, expect, it } from 'vitest';
import { MultiHeadAttention, type AttentionInput } from './attention.js';
import { Layer, type InputShape } from './layer.js';
import { PositionalEmbedding, sinusoidalTable } from './positional-embedding.js';
import { checkLayerGradients } from './test-utils.js';

/** Attention over query/key/value given as one list, with fixed masks, for the gradient checker. */
class Attend extends Layer<Tensor[], Tensor> {
  constructor(private readonly inner: MultiHeadAttention, private readonly masks: Omit<AttentionInput, 'query'>) {
    super({});
    this.addLayer('inner', inner);
  }

  protected override onBuild(shape: InputShape): void {
    this.inner.build(shape);
  }

  protected forward([query, key, value]: Tensor[]): Tensor {
    return this.inner.apply({ ...this.masks, query, key, value });
  }
}

const values = (shape: number[], seed: number) => ({ values: randomNormal(shape, 0, 1, seed).dataSync() as Float32Array, shape });

describe('MultiHeadAttention', () => {
  it('gradients of query, key, value and every projection pass finite differences, with padding and causal masks', () => {
    const keyMask = tensor([[1, 1, 1, 0], [1, 1, 1, 1]], [2, 4]);
    checkLayerGradients(new Attend(new MultiHeadAttention({ numHeads: 2, keyDim: 2, seed: 1 }), { keyMask }),
      [values([2, 3, 4], 1), values([2, 4, 3], 2), values([2, 4, 2], 3)], { single: false });
    checkLayerGradients(new Attend(new MultiHeadAttention({ numHeads: 2, seed: 2 }), { causal: true }),
      [values([1, 3, 4], 4), values([1, 3, 4], 5), values([1, 3, 4], 6)], { single: false });
  });

  it('a causal mask hides later positions and a key mask hides padded keys', () => tidy(() => {
    const attention = new MultiHeadAttention({ numHeads: 2, causal: true, seed: 3 });
    const x = randomNormal([1, 5, 4], 0, 1, 7);
    const changedFuture = concat([slice(x, [0, 0, 0], [1, 3, 4]), randomNormal([1, 2, 4], 0, 1, 8)], 1);
    const first3 = (t: Tensor) => slice(t, [0, 0, 0], [1, 3, 4]).dataSync();
    expectClose(first3(attention.apply(changedFuture)), first3(attention.apply(x)));

    const cross = new MultiHeadAttention({ numHeads: 1, seed: 4 });
    const query = randomNormal([1, 2, 4], 0, 1, 9);
    const keys = randomNormal([1, 3, 4], 0, 1, 10);
    const keyMask = tensor([[1, 1, 0]], [1, 3]);
    const changedPadding = concat([slice(keys, [0, 0, 0], [1, 2, 4]), randomNormal([1, 1, 4], 0, 1, 11)], 1);
    expectClose(cross.apply({ query, key: changedPadding, keyMask }).dataSync(), cross.apply({ query, key: keys, keyMask }).dataSync());
    // A row with every key masked attends uniformly instead of producing NaN.
    const none = cross.apply({ query, key: keys, keyMask: zeros([1, 3]) }).dataSync();
    expect(none.every(Number.isFinite)).toBe(true);
  }));

  it('attention dropout acts in training only', () => tidy(() => {
    const attention = new MultiHeadAttention({ numHeads: 2, dropout: 0.5, seed: 5 });
    const x = randomNormal([2, 4, 4], 0, 1, 12);
    const first = attention.apply(x).dataSync();
    expect(attention.apply(x).dataSync()).not.toEqual(first);
    attention.eval();
    expect(attention.apply(x).dataSync()).toEqual(attention.apply(x).dataSync());
  }));

  it('shapes, config and errors', () => tidy(() => {
    const attention = new MultiHeadAttention({ numHeads: 3, keyDim: 4, valueDim: 5, outputDim: 6, seed: 6 });
    const y = attention.apply({ query: zeros([2, 3, 7]), value: zeros([2, 4, 8]) });
    expect(y.shape).toEqual([2, 3, 6]);
    expect(attention.keyKernel.shape).toEqual([8, 12]);
    expect(attention.valueKernel.shape).toEqual([8, 15]);
    expect(attention.outputShape([[2, 3, 7], [2, 4, 8], [2, 4, 8]])).toEqual([2, 3, 6]);
    expect(new MultiHeadAttention(attention.getConfig() as unknown as ConstructorParameters<typeof MultiHeadAttention>[0]).getConfig()).toEqual(attention.getConfig());
    expect(() => new MultiHeadAttention({ numHeads: 0 })).toThrow(/numHeads must be a positive integer/);
    expect(() => new MultiHeadAttention({ numHeads: 3 }).apply(zeros([1, 2, 4]))).toThrow(/do not split into 3 heads; give keyDim/);
    const self = new MultiHeadAttention({ numHeads: 2, seed: 7 });
    self.apply(zeros([2, 3, 4]));
    expect(() => self.apply({ query: zeros([2, 3, 4]), keyMask: zeros([2, 4]) })).toThrow(/keyMask \[2, 4\] does not match \[batch, keyLength\] = \[2, 3\]/);
    expect(() => self.apply({ query: zeros([2, 3, 4]), attentionMask: zeros([3, 2]) })).toThrow(DendriteError);
    expect(() => self.apply({ query: zeros([2, 3, 5]) })).toThrow(/query must be \[2, length, 4\], got \[2, 3, 5\]/);
  }));
});

describe('PositionalEmbedding', () => {
  it('sinusoidal adds sin/cos of position · 10000^(−2i/d) and has no parameters', () => tidy(() => {
    const layer = new PositionalEmbedding({ maxLength: 10, kind: 'sinusoidal' });
    const y = layer.apply(zeros([1, 3, 4])).arraySync() as number[][][];
    expectClose(y[0][2], [Math.sin(2), Math.cos(2), Math.sin(2 / 100), Math.cos(2 / 100)]);
    expect(layer.parameters()).toEqual([]);
    expect(sinusoidalTable(2, 2)).toEqual(new Float32Array([0, 1, Math.sin(1), Math.cos(1)]));
  }));

  it('learned: gradients pass finite differences; too long a sequence is refused', () => {
    checkLayerGradients(new PositionalEmbedding({ maxLength: 4, seed: 1 }), [values([2, 3, 2], 13)]);
    const layer = new PositionalEmbedding({ maxLength: 4, seed: 1 });
    expect(() => tidy(() => layer.apply(zeros([1, 5, 2])))).toThrow(/expected inputs \[batch, length <= 4, 2\], got \[1, 5, 2\]/);
    expect(() => new PositionalEmbedding({ maxLength: 4, kind: 'rotary' as 'learned' })).toThrow(/kind must be/);
  });
});
