import {
  RandomGenerator, backward, mean, memory, noGrad, ones, randomNormal, square, sum, tensor, tidy, variableGrads, type Tensor,
} from '@dendrite/core';
import { expectClose } from '@dendrite/core/testing';
import { describe, expect, it } from 'vitest';
import { Dense } from './dense.js';
import { Dropout } from './dropout.js';
import { LayerNorm } from './normalization.js';
import { Layer, type InputShape } from './layer.js';
import { Sequential, sequential } from './sequential.js';
import * as initializers from './initializers.js';
import { checkLayerGradients } from './test-utils.js';

class Scale extends Layer {
  factor!: Tensor;
  protected override onBuild(shape: InputShape): void {
    this.factor = this.addParameter('factor', [(shape as number[]).at(-1)!], initializers.ones);
  }
  protected forward(x: Tensor): Tensor {
    return tensor(x.dataSync().map((v, i) => v * this.factor.dataSync()[i % this.factor.size]), x.shape);
  }
}

describe('Layer base', () => {
  it('builds on the first apply from the input shape, then reuses the weights', () => {
    const dense = new Dense({ units: 3, seed: 1 });
    expect(dense.built).toBe(false);
    const y = dense.apply(tensor([[1, 2], [3, 4]]));
    expect(y.shape).toEqual([2, 3]);
    expect(dense.built).toBe(true);
    expect(dense.kernel.shape).toEqual([2, 3]);
    expect(dense.bias!.shape).toEqual([3]);
    const kernel = dense.kernel;
    dense.apply(tensor([[5, 6]]));
    expect(dense.kernel).toBe(kernel);
    expect(dense.namedParameters().map(([name]) => name)).toEqual(['kernel', 'bias']);
  });

  it('same seed, same weights; a seeded parent seeds its children; different seeds differ', () => {
    const a = new Dense({ units: 4, seed: 7 });
    const b = new Dense({ units: 4, seed: 7 });
    a.build([-1, 5]);
    b.build([-1, 5]);
    expect(Array.from(a.kernel.dataSync())).toEqual(Array.from(b.kernel.dataSync()));
    const m1 = sequential([new Dense({ units: 3 }), new Dense({ units: 2 })], { seed: 3 });
    const m2 = sequential([new Dense({ units: 3 }), new Dense({ units: 2 })], { seed: 3 });
    m1.build([-1, 4]);
    m2.build([-1, 4]);
    const values = (m: Sequential) => m.parameters().map((p) => Array.from(p.dataSync()));
    expect(values(m1)).toEqual(values(m2));
    const m3 = sequential([new Dense({ units: 3 }), new Dense({ units: 2 })], { seed: 4 });
    m3.build([-1, 4]);
    expect(values(m3)[0]).not.toEqual(values(m1)[0]);
    // The two layers of one model draw different weights.
    expect(values(m1)[0].slice(0, 6)).not.toEqual(values(m1)[2]);
  });

  it('loading an int32 buffer leaves no tensor behind', () => {
    class Counter extends Layer<Tensor, Tensor> {
      protected override onBuild(): void { this.addBuffer('count', tensor(new Int32Array([0, 0]), [2], 'int32')); }
      protected forward(x: Tensor): Tensor { return x; }
    }
    const layer = new Counter();
    layer.build([-1, 2]);
    const source = { count: tensor(new Int32Array([3, 4]), [2], 'int32') };
    const before = memory().tensors;
    layer.loadStateDict(source);
    expect(memory().tensors).toBe(before);
    expect(Array.from(layer.stateDict().count.dataSync())).toEqual([3, 4]);
    source.count.dispose();
    layer.dispose();
  });

  it('names parameters with dots, reports state, and loads state strictly or leniently', () => {
    const model = new Sequential([new Dense({ units: 3, seed: 1 }), new Dense({ units: 2, seed: 2 })]);
    model.build([-1, 4]);
    expect(Object.keys(model.stateDict())).toEqual(['0.kernel', '0.bias', '1.kernel', '1.bias']);
    const other = new Sequential([new Dense({ units: 3, seed: 9 }), new Dense({ units: 2, seed: 8 })]);
    other.build([-1, 4]);
    const result = other.loadStateDict(model.stateDict());
    expect(result).toEqual({ missingKeys: [], unexpectedKeys: [] });
    expect(Array.from(other.parameters()[0].dataSync())).toEqual(Array.from(model.parameters()[0].dataSync()));
    // Loading copies: changing the source afterwards leaves the target alone.
    model.parameters()[0].assign(tensor(new Float32Array(12), [4, 3]));
    expect(Array.from(other.parameters()[0].dataSync())).not.toEqual(new Array(12).fill(0));

    const partial = { '0.kernel': model.stateDict()['0.kernel'], extra: tensor([1]) };
    expect(() => other.loadStateDict(partial)).toThrow(/missing keys 0.bias, 1.kernel, 1.bias; unexpected keys extra/);
    expect(other.loadStateDict(partial, { strict: false })).toEqual({ missingKeys: ['0.bias', '1.kernel', '1.bias'], unexpectedKeys: ['extra'] });
    expect(() => other.loadStateDict({ ...other.stateDict(), '1.bias': tensor([1, 2, 3]) })).toThrow(
      /'1.bias' is float32 \[3\] but the layer has float32 \[2\]/);
    expect(() => new Dense({ units: 2 }).loadStateDict({})).toThrow(/not built yet/);
  });

  it('train/eval and trainable propagate to sub-layers; frozen parameters get no gradient', () => {
    const inner = new Dense({ units: 2, seed: 1 });
    const model = sequential([new Dense({ units: 3, seed: 2 }), inner]);
    model.build([-1, 2]);
    expect(inner.training).toBe(true);
    model.eval();
    expect(inner.training).toBe(false);
    model.train();
    expect(inner.training).toBe(true);
    model.layers[0].trainable = false;
    expect(model.parameters({ trainableOnly: true }).length).toBe(2);
    expect(model.layers[0].parameters().every((p) => !p.requiresGrad)).toBe(true);
    model.trainable = false;
    expect(model.parameters({ trainableOnly: true }).length).toBe(0);
    model.trainable = true;
    expect(model.parameters({ trainableOnly: true }).length).toBe(4);
  });

  it('a custom layer builds through onBuild and reports its config; bad names and double registration are errors', () => {
    const scale = new Scale({ name: 'scale', seed: 5 });
    expect(Array.from(scale.apply(tensor([[1, 2, 3]])).dataSync())).toEqual([1, 2, 3]);
    expect(scale.getConfig()).toEqual({ name: 'scale', seed: 5 });
    expect(() => new Scale({ name: 'a.b' })).toThrow(/without dots/);
    expect(() => new Dense({ units: 0 })).toThrow(/units must be a positive integer/);
    expect(() => new Dense({ units: 2, activation: 'swoosh' as 'relu' })).toThrow(/unknown activation "swoosh"/);
    expect(new Dense({ units: 2 }).name).toMatch(/^dense_\d+$/);
  });

  it('dispose frees every parameter; a training step inside tidy leaks nothing', () => {
    const before = memory().tensors;
    const model = sequential([new Dense({ units: 8, activation: 'relu', seed: 1 }), new Dense({ units: 1, seed: 2 })]);
    const x = randomNormal([16, 3], 0, 1, 1);
    model.build([-1, 3]);
    for (let step = 0; step < 3; step++) {
      tidy(() => {
        const { grads } = variableGrads(() => sum(model.apply(x)), model.parameters());
        expect(grads.map((g) => g.shape)).toEqual([[3, 8], [8], [8, 1], [1]]);
      });
    }
    x.dispose();
    model.dispose();
    expect(memory().tensors).toBe(before);
  });

  it('a disposed model says so when applied, instead of a kernel naming a freed tensor', () => {
    const model = sequential([new Dense({ units: 2, seed: 1 })], { name: 'mlp' });
    const x = randomNormal([2, 3], 0, 1, 1);
    model.build([-1, 3]);
    const firstLayer = model.layers[0];
    model.dispose();
    expect(() => model.apply(x)).toThrow(/mlp: this Sequential was disposed \(dispose\(\) freed its weights\)/);
    expect(() => model.predict(x)).toThrow(/mlp: this Sequential was disposed/);
    expect(() => firstLayer.apply(x)).toThrow(/dense_\d+: this Dense was disposed/);
    x.dispose();
  });
});

describe('apply lifetimes', () => {
  const makeModel = () => sequential([
    new Dense({ units: 8, activation: 'tanh', seed: 1 }), new LayerNorm(), new Dropout({ rate: 0.25 }), new Dense({ units: 2, seed: 2 }),
  ], { seed: 3 });

  it('leaves only the outputs: the layers\' intermediates are freed when apply returns', () => {
    const model = makeModel();
    const x = randomNormal([5, 3], 0, 1, 4);
    model.build([-1, 3]);
    const before = memory().tensors;
    const y = noGrad(() => model.apply(x));
    expect(memory().tensors).toBe(before + 1);
    y.dispose();
    // Recording gradients, the graph holds what backward needs until the output goes.
    const recorded = model.apply(x);
    recorded.dispose();
    expect(memory().tensors).toBe(before);
    x.dispose();
    model.dispose();
  });

  it('still lets gradients reach every parameter: backward(tidy(() => loss)) matches variableGrads', async () => {
    const model = makeModel();
    const x = randomNormal([6, 3], 0, 1, 5);
    model.build([-1, 3]);
    model.eval(); // the same dropout (none) in both passes
    const before = memory().tensors;
    const lossOf = () => mean(square(model.apply(x)));
    const expected = tidy(() => variableGrads(lossOf, model.parameters()).grads);
    const loss = tidy(lossOf);
    backward(loss);
    loss.dispose();
    const parameters = model.parameters();
    expect(parameters.length).toBe(6);
    for (const [index, parameter] of parameters.entries()) {
      expect(parameter.grad, parameter.name).not.toBeNull();
      expectClose(await parameter.grad!.data(), await expected[index].data(), { rtol: 1e-5, atol: 1e-7 });
    }
    for (const tensorToFree of [...expected, ...parameters.map((parameter) => parameter.grad!)]) tensorToFree.dispose();
    for (const parameter of parameters) parameter.grad = null;
    expect(memory().tensors).toBe(before);
    x.dispose();
    model.dispose();
  });
});

describe('reseed', () => {
  const masks = (model: Sequential, x: Tensor) => tidy(() => Array.from(model.apply(x).dataSync()));

  it('restarts the dropout masks of every sub-layer from the seed, each sub-layer on its own stream', () => {
    const model = sequential([new Dropout({ rate: 0.5 }), new Dropout({ rate: 0.5 })], { seed: 1 });
    const x = ones([4, 64]);
    model.reseed(7);
    const first = masks(model, x);
    const later = masks(model, x);
    model.reseed(7);
    expect(masks(model, x)).toEqual(first);
    expect(later).not.toEqual(first);
    model.reseed(8);
    expect(masks(model, x)).not.toEqual(first);
    // The two layers draw different masks after one reseed (not both the same stream).
    const single = sequential([new Dropout({ rate: 0.5 })], { seed: 1 });
    single.reseed(7);
    const firstOnly = (single.namedChildren()[0][1] as Dropout);
    model.reseed(7);
    const firstOfTwo = model.namedChildren()[0][1] as Dropout;
    const secondOfTwo = model.namedChildren()[1][1] as Dropout;
    const a = tidy(() => Array.from(firstOfTwo.apply(x).dataSync()));
    const b = tidy(() => Array.from(secondOfTwo.apply(x).dataSync()));
    expect(a).not.toEqual(b);
    expect(tidy(() => Array.from(firstOnly.apply(x).dataSync()))).toEqual(a);
    x.dispose();
  });

  it('refuses a seed that is not an integer, naming the layer', () => {
    expect(() => new Dense({ units: 1, name: 'head' }).reseed(1.5)).toThrow('head.reseed: seed must be an integer, got 1.5');
  });
});

describe('Dense', () => {
  it('computes activation(x · kernel + bias) for every activation, fused or not', () => {
    const x = tensor([[0.5, -1, 2], [1.5, 0.25, -0.75]]);
    for (const activation of ['linear', 'relu', 'sigmoid', 'tanh', 'gelu', 'silu', 'elu', 'softmax'] as const) {
      const dense = new Dense({ units: 2, activation, seed: 3 });
      const y = dense.apply(x).dataSync();
      const w = dense.kernel.dataSync();
      const z = [0, 1].flatMap((r) => [0, 1].map((c) => [0, 1, 2].reduce((acc, k) => acc + x.dataSync()[r * 3 + k] * w[k * 2 + c], 0)));
      const f = {
        linear: (v: number) => v, relu: (v: number) => Math.max(0, v), sigmoid: (v: number) => 1 / (1 + Math.exp(-v)), tanh: Math.tanh,
        silu: (v: number) => v / (1 + Math.exp(-v)), elu: (v: number) => (v > 0 ? v : Math.exp(v) - 1),
        gelu: (v: number) => 0.5 * v * (1 + erfApprox(v / Math.SQRT2)),
      } as Record<string, (v: number) => number>;
      const expected = activation === 'softmax'
        ? [0, 1].flatMap((r) => { const e = [Math.exp(z[2 * r]), Math.exp(z[2 * r + 1])]; return e.map((v) => v / (e[0] + e[1])); })
        : z.map(f[activation]);
      expectClose(y, new Float32Array(expected), { atol: 1e-5, rtol: 1e-5 }, activation);
    }
  });

  it('treats higher-rank inputs as batches of vectors', () => {
    const dense = new Dense({ units: 4, seed: 1 });
    const x = randomNormal([2, 3, 5], 0, 1, 2);
    const y = dense.apply(x);
    expect(y.shape).toEqual([2, 3, 4]);
    const flat = dense.apply(x.dataSync().length ? tensor(x.dataSync(), [6, 5]) : x);
    expect(Array.from(y.dataSync())).toEqual(Array.from(flat.dataSync()));
    expect(() => dense.apply(tensor([[1, 2]]))).toThrow(/expected inputs \[batch, \.\.\., 5\], got \[1, 2\]/);
  });

  it('passes finite-difference gradient checks for input, kernel and bias', () => {
    for (const activation of ['tanh', 'gelu', 'softmax'] as const) {
      const dense = new Dense({ units: 3, activation, seed: 11, biasInitializer: initializers.constant(0.1) });
      checkLayerGradients(dense, [{ values: randomNormal([2, 4], 0, 1, 5).dataSync() as Float32Array, shape: [2, 4] }]);
    }
  });
});

describe('initializers', () => {
  const random = () => new RandomGenerator(123);
  it('scale by fan-in and fan-out as Keras does', () => {
    expect(initializers.fans([4, 6])).toEqual({ fanIn: 4, fanOut: 6 });
    expect(initializers.fans([3, 3, 2, 8])).toEqual({ fanIn: 18, fanOut: 72 });
    const check = (init: initializers.Initializer, shape: number[], expectedStd: number, bound?: number) => {
      const values = Array.from(init(shape, random()).dataSync());
      const mean = values.reduce((a, b) => a + b, 0) / values.length;
      const std = Math.sqrt(values.reduce((a, b) => a + (b - mean) ** 2, 0) / values.length);
      expect(Math.abs(mean)).toBeLessThan(expectedStd * 0.05);
      expect(std / expectedStd).toBeGreaterThan(0.97);
      expect(std / expectedStd).toBeLessThan(1.03);
      if (bound !== undefined) expect(Math.max(...values.map(Math.abs))).toBeLessThanOrEqual(bound);
    };
    check(initializers.glorotUniform, [200, 300], Math.sqrt(2 / 500), Math.sqrt(6 / 500));
    check(initializers.glorotNormal, [200, 300], Math.sqrt(2 / 500), 2 * Math.sqrt(2 / 500) / 0.8796 + 1e-6);
    check(initializers.heUniform, [250, 200], Math.sqrt(2 / 250), Math.sqrt(6 / 250));
    check(initializers.heNormal, [250, 200], Math.sqrt(2 / 250));
    check(initializers.lecunUniform, [250, 200], Math.sqrt(1 / 250), Math.sqrt(3 / 250));
    check(initializers.lecunNormal, [3, 3, 20, 200], Math.sqrt(1 / 180));
    expect(Array.from(initializers.constant(2.5)([2, 2], random()).dataSync())).toEqual([2.5, 2.5, 2.5, 2.5]);
    expect(Array.from(initializers.zeros([3], random()).dataSync())).toEqual([0, 0, 0]);
    expect(Array.from(initializers.ones([2], random()).dataSync())).toEqual([1, 1]);
  });

  it('orthogonal gives orthonormal rows or columns, for tall and wide shapes', () => {
    for (const [rows, columns] of [[6, 4], [4, 6], [5, 5]]) {
      const q = initializers.orthogonal(2)([rows, columns], random()).dataSync();
      const small = Math.min(rows, columns);
      for (let i = 0; i < small; i++) {
        for (let j = 0; j < small; j++) {
          let dot = 0;
          for (let k = 0; k < Math.max(rows, columns); k++) {
            dot += rows >= columns ? q[k * columns + i] * q[k * columns + j] : q[i * columns + k] * q[j * columns + k];
          }
          expect(dot).toBeCloseTo(i === j ? 4 : 0, 4);
        }
      }
    }
    expect(() => initializers.orthogonal()([3], random())).toThrow(/rank ≥ 2/);
    expect(() => initializers.getInitializer('nope' as 'zeros', 'Dense')).toThrow(/unknown initializer "nope"/);
  });
});

// Abramowitz–Stegun 7.1.26 is too coarse at 1e-5; use a series that is exact to float precision here.
function erfApprox(x: number): number {
  let term = x;
  let total = x;
  for (let n = 1; n < 60; n++) {
    term *= (-x * x) / n;
    total += term / (2 * n + 1);
  }
  return (2 / Math.sqrt(Math.PI)) * total;
}

describe('output shapes', () => {
  it('tracing an output shape keeps every sub-layer in its own mode and changes no state', async () => {
    const { BatchNorm } = await import('./normalization.js');
    const { Dropout } = await import('./dropout.js');
    const { model } = await import('./functional.js');
    const { input } = await import('./symbolic.js');
    const x = input({ shape: [4] });
    const norm = new BatchNorm();
    const y = new Dense({ units: 2, seed: 2 }).apply(new Dropout({ rate: 0.5 }).apply(norm.apply(new Dense({ units: 3, seed: 1 }).apply(x))));
    const net = model({ inputs: x, outputs: y });
    norm.eval();
    const before = Array.from(norm.runningMean.dataSync());
    const live = memory().tensors;
    // FunctionalModel has no formula: its output shape is traced through forward.
    expect(net.outputShape([-1, 4])).toEqual([-1, 2]);
    expect(net.training).toBe(true);
    expect(norm.training).toBe(false);
    expect(Array.from(norm.runningMean.dataSync())).toEqual(before);
    expect(memory().tensors).toBe(live);
  });

  it('traces once for a fully known input shape and twice (sizes 1 and 2) when a dimension is -1', () => {
    const traced: number[][] = [];
    class Recorder extends Layer {
      protected forward(x: Tensor): Tensor {
        traced.push([...x.shape]);
        return x;
      }
    }
    const layer = new Recorder();
    expect(layer.outputShape([3, 4])).toEqual([3, 4]);
    expect(traced).toEqual([[3, 4]]);
    traced.length = 0;
    expect(layer.outputShape([-1, 4])).toEqual([-1, 4]);
    expect(traced).toEqual([[1, 4], [2, 4]]);
  });
});

describe('a failed build', () => {
  it('leaves nothing registered, so a later build with a good shape works', () => {
    class TwoStep extends Layer {
      first!: Tensor;
      protected override onBuild(shape: InputShape): void {
        this.first = this.addParameter('first', [2], initializers.ones);
        if ((shape as number[]).at(-1) !== 2) throw new Error(`needs 2 features, got ${(shape as number[]).at(-1)}`);
      }
      protected forward(x: Tensor): Tensor {
        return x;
      }
    }
    const layer = new TwoStep();
    const live = memory().tensors;
    expect(() => layer.build([-1, 3])).toThrow(/needs 2 features/);
    expect(layer.built).toBe(false);
    expect(layer.parameters()).toEqual([]);
    expect(memory().tensors).toBe(live);
    layer.build([-1, 2]);
    expect(layer.namedParameters().map(([name]) => name)).toEqual(['first']);
  });
});
