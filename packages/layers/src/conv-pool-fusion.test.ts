// Models run a Conv2D and the 2x2 MaxPool2D after it as core's conv2dMaxPool: these tests check that
// the fused pair gives the bits of the two layers applied one by one (values and every gradient), that
// it is fused only where nothing can tell, and that training follows the same trajectory.

import {
  Tensor, memory, mul, noGrad, softmaxCrossEntropy, sum, tensor, tidy, variable, variableGrads,
} from '@dendrite/core';
import { Adam } from '@dendrite/optimizers';
import { describe, expect, it } from 'vitest';
import type { ActivationName } from './activations.js';
import { Activation } from './activations.js';
import { Conv2D } from './conv2d.js';
import { Dense } from './dense.js';
import { model } from './functional.js';
import type { AnyLayer } from './layer.js';
import { MaxPool2D } from './pooling.js';
import { Flatten } from './reshape.js';
import { modelFromBytes, modelToBytes } from './serialization/bytes.js';
import { sequential, type Sequential } from './sequential.js';
import { input } from './symbolic.js';
import { cutModel } from './transfer.js';

const values = (n: number, seed: number) => new Float32Array(n).map((_, i) => Math.sin(seed * 7.3 + i * 2.17) * 1.5);

/** The bits of a float32 tensor, so a comparison tells 0 from -0 and any last-bit difference. */
const bits = (x: Tensor) => Array.from(new Uint32Array(Float32Array.from(x.dataSync() as Float32Array).buffer));

/** Every op name in the gradient graph behind `y`. */
function graphOps(y: Tensor): Set<string> {
  const ops = new Set<string>();
  const seen = new Set<Tensor>();
  const visit = (t: Tensor) => {
    if (seen.has(t) || t.gradNode === null) return;
    seen.add(t);
    ops.add(t.gradNode.op);
    for (const parent of t.gradNode.inputs) visit(parent);
  };
  visit(y);
  return ops;
}

/**
 * Output, op names and the gradients of sum(run(x) · probe) with respect to x and `parameters`, as
 * bits (the probe weights each output differently, so a gradient routed to the wrong cell shows).
 */
function runWithGradients(run: (x: Tensor) => Tensor, xValues: Float32Array, shape: number[], parameters: Tensor[]) {
  return tidy(() => {
    const x = variable(tensor(xValues, shape));
    let output!: number[];
    let outputShape!: number[];
    let ops!: Set<string>;
    const { value, grads } = variableGrads(() => {
      const y = run(x);
      [output, outputShape, ops] = [bits(y), [...y.shape], graphOps(y)];
      return sum(mul(y, tensor(values(y.size, 3), y.shape)));
    }, [x, ...parameters]);
    const result = { output, shape: outputShape, loss: bits(value), grads: grads.map(bits), ops };
    x.dispose();
    return result;
  });
}

/** The fused model's run against its layers applied one by one (which cannot fuse). */
function compareWithLayers(layers: AnyLayer[], xValues: Float32Array, shape: number[], seed = 5) {
  const net = sequential(layers, { seed });
  net.build(shape.map((dim, axis) => (axis === 0 ? -1 : dim)));
  const parameters = net.parameters();
  const fused = runWithGradients((x) => net.apply(x), xValues, shape, parameters);
  const separate = runWithGradients((x) => layers.reduce<Tensor>((value, layer) => layer.apply(value) as Tensor, x), xValues, shape, parameters);
  expect(fused.shape).toEqual(separate.shape);
  expect(fused.output).toEqual(separate.output);
  expect(fused.loss).toEqual(separate.loss);
  fused.grads.forEach((grad, k) => expect(grad, k === 0 ? 'input gradient' : `gradient of ${net.namedParameters()[k - 1][0]}`).toEqual(separate.grads[k]));
  net.dispose();
  return { fused, separate };
}

describe('Conv2D + MaxPool2D run as one conv2dMaxPool', () => {
  const activations: ActivationName[] = ['relu', 'linear', 'tanh', 'sigmoid'];

  it('gives the bits of the two layers, forward and every gradient (activations, bias, padding, odd sizes, batch 1 and 3)', () => {
    let cases = 0;
    for (const activation of activations) {
      for (const useBias of [true, false]) {
        for (const padding of ['same', 'valid'] as const) {
          for (const [batch, size] of [[1, 7], [3, 8]]) {
            const shape = [batch, size, size, 2];
            // A non-zero bias initializer, so the bias takes part in the values and its gradient is checked.
            const conv = new Conv2D({ filters: 3, kernelSize: 3, padding, activation, useBias, biasInitializer: 'glorotUniform' });
            const { fused, separate } = compareWithLayers([conv, new MaxPool2D({ poolSize: 2 })], values(shape.reduce((a, b) => a * b), cases), shape, cases);
            expect(fused.ops.has('conv2dMaxPool'), `${activation} ${padding}: fused`).toBe(true);
            expect(fused.ops.has('maxPool2d')).toBe(false);
            expect(separate.ops.has('maxPool2d')).toBe(true);
            const convolved = padding === 'same' ? size : size - 2;
            expect(fused.shape).toEqual([batch, Math.floor(convolved / 2), Math.floor(convolved / 2), 3]);
            expect(fused.grads).toHaveLength(useBias ? 3 : 2);
            cases++;
          }
        }
      }
    }
    expect(cases).toBe(32);
  });

  it('fuses with stride, dilation and explicit padding, and a pool given as pairs with zero padding', () => {
    const shape = [2, 11, 9, 3];
    const conv = new Conv2D({ filters: 4, kernelSize: [3, 2], stride: [1, 2], dilation: [2, 1], padding: [1, 0, 2, 1], activation: 'relu' });
    const { fused } = compareWithLayers([conv, new MaxPool2D({ poolSize: [2, 2], stride: [2, 2], padding: [0, 0, 0, 0] }), new Flatten(), new Dense({ units: 3 })], values(2 * 11 * 9 * 3, 9), shape);
    expect(fused.ops.has('conv2dMaxPool')).toBe(true);
  });

  it('fuses every Conv2D + MaxPool2D pair of a deeper model (the bench CNN) and keeps the bits', () => {
    const layers = [
      new Conv2D({ filters: 4, kernelSize: 5, padding: 'same', activation: 'relu' }), new MaxPool2D({ poolSize: 2 }),
      new Conv2D({ filters: 6, kernelSize: 5, padding: 'same', activation: 'relu' }), new MaxPool2D({ poolSize: 2 }),
      new Flatten(), new Dense({ units: 10 }),
    ];
    const { fused } = compareWithLayers(layers, values(3 * 12 * 12, 4), [3, 12, 12, 1]);
    expect(fused.ops.has('maxPool2d')).toBe(false);
  });

  class PlainConv2D extends Conv2D {}
  class PlainMaxPool2D extends MaxPool2D {}
  const unfusable: Array<[string, () => AnyLayer[]]> = [
    ['a 3x3 pool', () => [new Conv2D({ filters: 3, kernelSize: 3, activation: 'relu' }), new MaxPool2D({ poolSize: 3 })]],
    ['a pool of stride 1', () => [new Conv2D({ filters: 3, kernelSize: 3, activation: 'relu' }), new MaxPool2D({ poolSize: 2, stride: 1 })]],
    ["a 'same' pool", () => [new Conv2D({ filters: 3, kernelSize: 3, activation: 'relu' }), new MaxPool2D({ poolSize: 2, padding: 'same' })]],
    ['a layer in between', () => [new Conv2D({ filters: 3, kernelSize: 3, activation: 'relu' }), new Activation({ activation: 'linear' }), new MaxPool2D({ poolSize: 2 })]],
    ['an activation after the bias add (gelu)', () => [new Conv2D({ filters: 3, kernelSize: 3, activation: 'gelu' }), new MaxPool2D({ poolSize: 2 })]],
    ['channel groups', () => [new Conv2D({ filters: 4, kernelSize: 3, groups: 2, activation: 'relu' }), new MaxPool2D({ poolSize: 2 })]],
    ['a Conv2D subclass', () => [new PlainConv2D({ filters: 3, kernelSize: 3, activation: 'relu' }), new MaxPool2D({ poolSize: 2 })]],
    ['a MaxPool2D subclass', () => [new Conv2D({ filters: 3, kernelSize: 3, activation: 'relu' }), new PlainMaxPool2D({ poolSize: 2 })]],
  ];
  for (const [name, layers] of unfusable) {
    it(`runs the layers one by one for ${name}`, () => {
      const { fused } = compareWithLayers(layers(), values(2 * 9 * 9 * 2, 2), [2, 9, 9, 2]);
      expect(fused.ops.has('conv2dMaxPool')).toBe(false);
      expect(fused.ops.has('maxPool2d')).toBe(true);
    });
  }

  it('fails as the two layers do on inputs the fused op cannot take (a convolution smaller than the pool, int32, rank 3, wrong channels)', () => {
    const conv = new Conv2D({ filters: 2, kernelSize: 3, activation: 'relu', seed: 1 });
    const pool = new MaxPool2D({ poolSize: 2 });
    const net = sequential([conv, pool]);
    net.build([-1, 8, 8, 1]);
    const bad = [
      tensor(values(9, 1), [1, 3, 3, 1]), // a 1x1 convolution
      tensor(new Int32Array(64), [1, 8, 8, 1], 'int32'),
      tensor(values(64, 1), [8, 8, 1]),
      tensor(values(128, 1), [1, 8, 8, 2]),
    ];
    for (const x of bad) {
      let separateError = '';
      try {
        tidy(() => pool.apply(conv.apply(x)));
      } catch (error) {
        separateError = (error as Error).message;
      }
      expect(separateError, `[${x.shape.join(', ')}] ${x.dtype}`).not.toBe('');
      expect(() => tidy(() => net.apply(x))).toThrow(separateError);
    }
    // A 2x2 convolution fuses, into one pooled cell.
    const fits = tensor(values(16, 2), [1, 4, 4, 1]);
    expect(tidy(() => bits(net.apply(fits)))).toEqual(tidy(() => bits(pool.apply(conv.apply(fits)))));
    net.dispose();
  });

  it('changes nothing users see: names, summary, a model cut at the conv, eval and predict, save/load, a disposed pool', async () => {
    const layers = () => [
      new Conv2D({ filters: 3, kernelSize: 3, padding: 'same', activation: 'relu', name: 'conv' }), new MaxPool2D({ poolSize: 2, name: 'pool' }),
      new Flatten({ name: 'flat' }), new Dense({ units: 2, name: 'head' }),
    ];
    const net = sequential(layers(), { seed: 3 });
    net.build([-1, 6, 6, 1]);
    expect(net.namedParameters().map(([name]) => name)).toEqual(['0.kernel', '0.bias', '3.kernel', '3.bias']);
    expect(net.summary()).toMatch(/0 \(conv\) \(Conv2D\) +\[batch, 6, 6, 3\]/);
    const x = tensor(values(2 * 36, 6), [2, 6, 6, 1]);
    // The cut model ends at the conv: it returns the full-resolution activation.
    const cut = cutModel(net, 'conv');
    expect(tidy(() => bits(cut.apply(x) as Tensor))).toEqual(tidy(() => bits(net.layers[0].apply(x))));
    // Eval and predict (no gradient recorded) give the training-mode bits (no dropout or batch norm here).
    const trained = tidy(() => bits(net.apply(x)));
    net.eval();
    expect(tidy(() => bits(net.apply(x)))).toEqual(trained);
    net.train();
    const predicted = net.predict(x, { batchSize: 1 });
    expect(bits(predicted)).toEqual(trained);
    predicted.dispose();
    // Saved and loaded, the copy runs fused too, to the same bits.
    const copy = modelFromBytes(await modelToBytes(net)) as Sequential;
    expect(copy.layers.map((layer) => layer.constructor.name)).toEqual(['Conv2D', 'MaxPool2D', 'Flatten', 'Dense']);
    expect(tidy(() => bits(copy.apply(x)))).toEqual(trained);
    copy.dispose();
    // Frozen conv: no gradient for its weights, the head's gradient unchanged.
    net.layers[0].trainable = false;
    const frozen = runWithGradients((input) => net.apply(input), values(2 * 36, 6), [2, 6, 6, 1], net.parameters({ trainableOnly: true }));
    expect(frozen.grads).toHaveLength(3);
    expect(frozen.ops.has('conv2dMaxPool')).toBe(true);
    net.layers[0].trainable = true;
    net.layers[1].dispose();
    expect(() => net.apply(x)).toThrow(/pool: this MaxPool2D was disposed/);
    net.dispose();
  });

  it('in a functional model, fuses a conv whose output only feeds the pool, and nothing else', () => {
    const image = input({ shape: [8, 8, 2] });
    const conv = new Conv2D({ filters: 3, kernelSize: 3, padding: 'same', activation: 'relu', seed: 4 });
    const pool = new MaxPool2D({ poolSize: 2 });
    const head = new Dense({ units: 2, seed: 5 });
    const convolved = conv.apply(image);
    const pooled = pool.apply(convolved);
    const logits = head.apply(new Flatten().apply(pooled));
    const shape = [3, 8, 8, 2];
    const xValues = values(3 * 8 * 8 * 2, 8);
    const parameters = [conv.kernel, conv.bias!, ...head.parameters()];
    const separate = runWithGradients((x) => head.apply(new Flatten().apply(pool.apply(conv.apply(x)))), xValues, shape, parameters);
    const fused = runWithGradients((x) => model({ inputs: image, outputs: logits }).apply(x) as Tensor, xValues, shape, parameters);
    expect(fused.ops.has('conv2dMaxPool')).toBe(true);
    expect(fused.output).toEqual(separate.output);
    expect(fused.grads).toEqual(separate.grads);
    // The conv's output is also a model output: run unfused, both outputs right.
    const both = model({ inputs: image, outputs: [convolved, logits] });
    tidy(() => {
      const x = tensor(xValues, shape);
      const [features, out] = both.apply(x) as Tensor[];
      expect(bits(features)).toEqual(bits(conv.apply(x)));
      expect(bits(out)).toEqual(separate.output);
    });
    // The conv's output feeds the pool and another layer: unfused.
    const side = new Flatten().apply(convolved);
    const branched = model({ inputs: image, outputs: [logits, side] });
    const branchedRun = runWithGradients((x) => (branched.apply(x) as Tensor[])[0], xValues, shape, parameters);
    expect(branchedRun.ops.has('conv2dMaxPool')).toBe(false);
    expect(branchedRun.output).toEqual(separate.output);
  });

  it('trains to the same losses and weights as the unfused layers (Adam, a few steps)', () => {
    const build = (ConvClass: typeof Conv2D) => {
      const net = sequential([
        new ConvClass({ filters: 4, kernelSize: 3, padding: 'same', activation: 'relu' }), new MaxPool2D({ poolSize: 2 }),
        new ConvClass({ filters: 5, kernelSize: 3, activation: 'tanh' }), new MaxPool2D({ poolSize: 2 }),
        new Flatten(), new Dense({ units: 3 }),
      ], { seed: 11 });
      net.build([-1, 10, 10, 1]);
      return net;
    };
    class UnfusedConv2D extends Conv2D {}
    const fusedNet = build(Conv2D);
    const plainNet = build(UnfusedConv2D);
    tidy(() => plainNet.loadStateDict(fusedNet.stateDict()));
    const x = tensor(values(6 * 100, 12), [6, 10, 10, 1]);
    const labels = tensor(new Int32Array([0, 1, 2, 0, 1, 2]), [6], 'int32');
    const train = (net: typeof fusedNet) => {
      const optimizer = new Adam(net.parameters(), { learningRate: 1e-2 });
      const losses: number[][] = [];
      const live: number[] = [];
      for (let step = 0; step < 4; step++) {
        live.push(memory().tensors);
        tidy(() => {
          const { value, grads } = variableGrads(() => softmaxCrossEntropy(net.apply(x), labels), net.parameters());
          losses.push(bits(value));
          optimizer.step(grads);
        });
      }
      // Nothing accumulates from step to step (the pool's indices are freed with the gradient graph).
      expect(live.slice(2)).toEqual([live[1], live[1]]);
      return { losses, weights: noGrad(() => net.parameters().map(bits)) };
    };
    const fusedRun = train(fusedNet);
    const plainRun = train(plainNet);
    expect(fusedRun.losses).toEqual(plainRun.losses);
    expect(new Set(fusedRun.losses.map((loss) => loss[0])).size).toBe(4); // the weights did move
    expect(fusedRun.weights).toEqual(plainRun.weights);
    fusedNet.dispose();
    plainNet.dispose();
  });
});
