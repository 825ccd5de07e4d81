import { add, memory, randomNormal, sum, tensor, tidy, variableGrads, type Tensor } from '@dendrite/core';
import { expectClose } from '@dendrite/core/testing';
import { describe, expect, it } from 'vitest';
import { Conv2D } from './conv2d.js';
import { Dense } from './dense.js';
import { Dropout } from './dropout.js';
import { Embedding } from './embedding.js';
import { model } from './functional.js';
import { Layer } from './layer.js';
import { BatchNorm } from './normalization.js';
import { Flatten } from './reshape.js';
import { sequential } from './sequential.js';
import { input } from './symbolic.js';

/** Adds its two inputs: a layer taking a list. */
class Sum extends Layer<Tensor[], Tensor> {
  protected forward([a, b]: Tensor[]): Tensor {
    return add(a, b);
  }
}

describe('functional models', () => {
  it('track shapes symbolically and run several inputs, several outputs and a shared layer', () => {
    const a = input({ shape: [4] });
    const b = input({ shape: [4] });
    const shared = new Dense({ units: 3, activation: 'tanh', seed: 1, name: 'shared' });
    const ha = shared.apply(a);
    const hb = shared.apply(b);
    expect(ha.shape).toEqual([-1, 3]);
    const joined = new Sum({ name: 'sum' }).apply([ha, hb]);
    const head = new Dense({ units: 2, seed: 2, name: 'head' }).apply(joined);
    const side = new Dense({ units: 1, seed: 3, name: 'side' }).apply(hb);
    const net = model({ inputs: [a, b], outputs: [head, side], name: 'twin' });
    expect(net.layers.map((layer) => layer.name)).toEqual(['shared', 'sum', 'head', 'side']);
    // One set of weights for the shared layer.
    expect(Object.keys(net.stateDict())).toEqual(['shared.kernel', 'shared.bias', 'head.kernel', 'head.bias', 'side.kernel', 'side.bias']);
    const xa = randomNormal([5, 4], 0, 1, 1);
    const xb = randomNormal([5, 4], 0, 1, 2);
    const [out, sideOut] = net.apply([xa, xb]) as Tensor[];
    const layers = net.layers as Dense[];
    const expected = layers[2].apply(add(shared.apply(xa), shared.apply(xb)));
    expectClose(out.dataSync(), expected.dataSync(), { atol: 1e-6, rtol: 1e-6 });
    expect(sideOut.shape).toEqual([5, 1]);
    expect(() => net.apply([xa])).toThrow(/twin: expected 2 input tensor\(s\), got 1/);
    expect(() => net.apply([xa, randomNormal([5, 3])])).toThrow(/input 1 \(.*\) must be float32 \[batch, 4\], got float32 \[5, 3\]/);
    // Gradients reach the shared layer from both paths.
    const { grads } = variableGrads(() => sum((net.apply([xa, xb]) as Tensor[])[0]), net.parameters());
    expect(grads.map((g) => g.shape)).toEqual([[4, 3], [3], [3, 2], [2], [3, 1], [1]]);
  });

  it('chain convolutions, int32 inputs with embeddings, and refuse graphs with a foreign input or clashing names', () => {
    const image = input({ shape: [8, 8, 1] });
    const features = new Flatten().apply(new Conv2D({ filters: 2, kernelSize: 3, stride: 2, seed: 1 }).apply(image));
    expect(features.shape).toEqual([-1, 18]);
    const ids = input({ shape: [5], dtype: 'int32' });
    const embedded = new Embedding({ inputDim: 10, outputDim: 4, seed: 2 }).apply(ids);
    expect(embedded.shape).toEqual([-1, 5, 4]);
    const net = model({ inputs: ids, outputs: new Dense({ units: 2, seed: 3 }).apply(embedded) });
    expect((net.apply(tensor([[1, 2, 3, 4, 5]], [1, 5], 'int32')) as Tensor).shape).toEqual([1, 5, 2]);

    const other = input({ shape: [3] });
    const x = input({ shape: [3] });
    const y = new Dense({ units: 1 }).apply(add2(x, other));
    expect(() => model({ inputs: x, outputs: y })).toThrow(/depend on input .* not among the model's inputs/);
    const p = new Dense({ units: 2, name: 'same' }).apply(x);
    const q = new Dense({ units: 2, name: 'same' }).apply(p);
    expect(() => model({ inputs: x, outputs: q })).toThrow(/two different layers are named 'same'/);
  });
});

function add2(a: ReturnType<typeof input>, b: ReturnType<typeof input>) {
  return new Sum().apply([a, b]);
}

describe('summary and predict', () => {
  it('summary lists each layer, its output shape, parameters and whether they train', () => {
    const net = sequential([
      new Conv2D({ filters: 4, kernelSize: 3, padding: 'same', activation: 'relu', name: 'conv' }),
      new Flatten({ name: 'flatten' }),
      new Dense({ units: 10, name: 'logits' }),
    ], { name: 'cnn', seed: 1 });
    net.build([-1, 6, 6, 1]);
    net.layers[0].trainable = false;
    const text = net.summary();
    expect(text).toContain('Model: cnn');
    expect(text).toMatch(/0 \(conv\) \(Conv2D\)\s+\[batch, 6, 6, 4\]\s+40\s+frozen/);
    expect(text).toMatch(/1 \(flatten\) \(Flatten\)\s+\[batch, 144\]\s+0\s+-/);
    expect(text).toMatch(/2 \(logits\) \(Dense\)\s+\[batch, 10\]\s+1,450\s+yes/);
    expect(text).toContain('Total parameters: 1,490');
    expect(text).toContain('Trainable: 1,450');
    expect(text).toContain('Frozen: 40');
  });

  it('predict runs in eval mode, in batches, without gradients, restores the mode and leaks nothing', () => {
    const net = sequential([new Dense({ units: 8, activation: 'relu' }), new Dropout({ rate: 0.5 }), new BatchNorm(), new Dense({ units: 3 })], { seed: 2 });
    const x = randomNormal([10, 4], 0, 1, 3);
    net.apply(x);
    const before = memory().tensors;
    const batched = net.predict(x, { batchSize: 3 });
    expect(batched.shape).toEqual([10, 3]);
    expect(batched.requiresGrad).toBe(false);
    expect(batched.gradNode).toBeNull();
    expect(net.training).toBe(true);
    net.eval();
    const whole = tidy(() => net.apply(x));
    net.train();
    expectClose(batched.dataSync(), whole.dataSync(), { atol: 1e-6, rtol: 1e-6 });
    batched.dispose();
    whole.dispose();
    expect(memory().tensors).toBe(before);
    expect(() => net.predict(x, { batchSize: 0 })).toThrow(/batchSize must be a positive integer/);
  });

  it('predict on a functional model with two outputs concatenates each', () => {
    const a = input({ shape: [2] });
    const net = model({ inputs: a, outputs: [new Dense({ units: 1, seed: 1 }).apply(a), new Dense({ units: 2, seed: 2 }).apply(a)] });
    const [first, second] = net.predict(randomNormal([7, 2], 0, 1, 1), { batchSize: 2 }) as Tensor[];
    expect(first.shape).toEqual([7, 1]);
    expect(second.shape).toEqual([7, 2]);
  });
});
