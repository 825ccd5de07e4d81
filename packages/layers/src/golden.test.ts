// PyTorch golden values (scripts/golden.py, float64): every layer and functional op of the package
// against torch, forward values and the gradients of sum(output · probe) with respect to inputs and
// parameters, within 2e-4. Parameters arrive in PyTorch's layouts through loadPyTorchStateDict, and
// Dendrite's parameter gradients go back through pytorchStateDict, so the converters are checked too.

import {
  Tensor, add, batchNorm, elu, gelu, keep, layerNorm, leakyRelu, logSoftmax, mul, relu, selu, sigmoid, silu, softmax,
  softplus, sum, tanh, tensor, tidy, variable, variableGrads,
} from '@dendrite/core';
import { expectClose } from '@dendrite/core/testing';
import { describe, expect, it } from 'vitest';
import golden from './__fixtures__/golden.json';
import { Activation, ReLU, type ActivationName } from './activations.js';
import { MultiHeadAttention } from './attention.js';
import { Conv1D } from './conv1d.js';
import { Conv2D, Conv2DTranspose } from './conv2d.js';
import { Dense } from './dense.js';
import { Embedding } from './embedding.js';
import type { InputShape, Layer } from './layer.js';
import { BatchNorm, LayerNorm } from './normalization.js';
import { AvgPool2D, GlobalAvgPool2D, MaxPool2D } from './pooling.js';
import { PositionalEmbedding } from './positional-embedding.js';
import { Flatten } from './reshape.js';
import { sequential } from './sequential.js';
import { loadPyTorchStateDict, pytorchStateDict } from './pytorch.js';
import { Bidirectional, type MergeMode } from './recurrent/bidirectional.js';
import { GRU } from './recurrent/gru.js';
import { LSTM } from './recurrent/lstm.js';
import type { Recurrent, RecurrentOptions } from './recurrent/recurrent.js';
import { SimpleRNN } from './recurrent/simple-rnn.js';

interface Encoded { shape: number[]; values: number[]; dtype?: string }
interface GoldenCase {
  layer?: string;
  op?: string;
  inner?: string;
  config?: Record<string, unknown>;
  options?: Record<string, unknown>;
  training?: boolean;
  maskInput?: number | null;
  initialStateInput?: number | null;
  selfAttention?: boolean;
  mergeMode?: MergeMode;
  inputs: Encoded[];
  outputs: Encoded[];
  probes: Encoded[];
  inputGrads: Array<Encoded | null>;
  params?: Record<string, Encoded>;
  paramGrads?: Record<string, Encoded>;
  after?: Record<string, Encoded>;
}

const cases = (golden as unknown as { cases: Record<string, GoldenCase> }).cases;
const TOLERANCE = { atol: 2e-4, rtol: 0 };

function toTensor(encoded: Encoded): Tensor {
  return encoded.dtype === 'int32'
    ? tensor(Int32Array.from(encoded.values), encoded.shape, 'int32')
    : tensor(Float32Array.from(encoded.values), encoded.shape);
}

/** A layer of the case, the shape to build it for, and how to call it on the case's inputs. */
interface Runner {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  layer: Layer<any, any>;
  buildShape: InputShape;
  run(inputs: Tensor[]): Tensor[];
}

function recurrent(kind: string, config: RecurrentOptions): Recurrent<boolean> {
  const options = { ...config, seed: 1 } as RecurrentOptions;
  if (kind === 'SimpleRNN') return new SimpleRNN(options);
  if (kind === 'LSTM') return new LSTM(options);
  if (kind === 'GRU') return new GRU(options);
  throw new Error(`no recurrent layer ${kind}`);
}

function makeRunner(c: GoldenCase, inputs: Tensor[]): Runner {
  const config = c.config ?? {};
  const single = (layer: Runner['layer']): Runner => ({ layer, buildShape: inputs[0].shape, run: ([x]) => [layer.apply(x)] });
  switch (c.layer) {
    case 'Sequential': return single(sequential([
      new Conv2D({ filters: 3, kernelSize: 3 }), new ReLU(), new MaxPool2D({ poolSize: 2 }), new Flatten(), new Dense({ units: 2 }),
    ], { seed: 1 }));
    case 'Dense': return single(new Dense({ units: config.units as number, activation: config.activation as ActivationName, seed: 1 }));
    case 'Conv2D': return single(new Conv2D({ ...config, seed: 1 } as ConstructorParameters<typeof Conv2D>[0]));
    case 'Conv2DTranspose': return single(new Conv2DTranspose({ ...config, seed: 1 } as ConstructorParameters<typeof Conv2DTranspose>[0]));
    case 'Conv1D': return single(new Conv1D({ ...config, seed: 1 } as ConstructorParameters<typeof Conv1D>[0]));
    case 'MaxPool2D': return single(new MaxPool2D(config));
    case 'AvgPool2D': return single(new AvgPool2D(config));
    case 'GlobalAvgPool2D': return single(new GlobalAvgPool2D(config));
    case 'BatchNorm': return single(new BatchNorm(config));
    case 'LayerNorm': return single(new LayerNorm(config));
    case 'Embedding': return single(new Embedding({ ...config, seed: 1 } as ConstructorParameters<typeof Embedding>[0]));
    case 'PositionalEmbedding': return single(new PositionalEmbedding({ ...config, seed: 1 } as ConstructorParameters<typeof PositionalEmbedding>[0]));
    case 'SimpleRNN': case 'LSTM': case 'GRU': case 'Bidirectional': {
      const layer = c.layer === 'Bidirectional'
        ? new Bidirectional({ layer: recurrent(c.inner!, config as unknown as RecurrentOptions), mergeMode: c.mergeMode, seed: 2 })
        : recurrent(c.layer, config as unknown as RecurrentOptions);
      return {
        layer,
        buildShape: inputs[0].shape,
        run: (xs) => {
          const mask = c.maskInput != null ? xs[c.maskInput] : null;
          const initialState = c.initialStateInput != null ? xs.slice(c.initialStateInput) : undefined;
          const output = layer.apply({ input: xs[0], mask, initialState });
          return Array.isArray(output) ? output : [output];
        },
      };
    }
    case 'MultiHeadAttention': {
      const layer = new MultiHeadAttention({ numHeads: config.numHeads as number, causal: config.causal as boolean, seed: 1 });
      const [query, key = query, value = query] = c.selfAttention ? [inputs[0]] : inputs;
      return {
        layer,
        buildShape: [query.shape, key.shape, value.shape],
        run: (xs) => {
          const keyMask = c.maskInput != null ? xs[c.maskInput] : null;
          return [layer.apply(c.selfAttention ? { query: xs[0], keyMask } : { query: xs[0], key: xs[1], value: xs[2], keyMask })];
        },
      };
    }
    default: throw new Error(`golden case with unknown layer ${c.layer}`);
  }
}

const OPS: Record<string, (inputs: Tensor[], options: Record<string, unknown>) => Tensor> = {
  sigmoid: ([x]) => sigmoid(x),
  tanh: ([x]) => tanh(x),
  relu: ([x]) => relu(x),
  leakyRelu: ([x], o) => leakyRelu(x, (o.alpha as number | undefined) ?? 0.01),
  elu: ([x], o) => elu(x, o.alpha as number),
  selu: ([x]) => selu(x),
  gelu: ([x]) => gelu(x),
  geluTanh: ([x]) => gelu(x, { approximate: 'tanh' }),
  silu: ([x]) => silu(x),
  softplus: ([x]) => softplus(x),
  softmax: ([x], o) => softmax(x, o.axis as number),
  logSoftmax: ([x], o) => logSoftmax(x, o.axis as number),
  layerNorm: ([x, gamma, beta], o) => layerNorm(x, gamma, beta, { epsilon: o.epsilon as number }),
  batchNorm: ([x, gamma, beta, mean, variance], o) => batchNorm(x, gamma, beta, { epsilon: o.epsilon as number, mean, variance }),
};

/** Run `forward` on the case's inputs; compare outputs and the gradients of sum(output · probe). */
function compare(
  name: string, c: GoldenCase, inputs: Tensor[], forward: (inputs: Tensor[]) => Tensor[], parameters: Array<[string, Tensor]>,
): Tensor[] {
  const leaves = inputs.map((x, i) => (c.inputGrads[i] ? variable(x) : x));
  const differentiated = leaves.filter((_, i) => c.inputGrads[i]);
  const probes = c.probes.map(toTensor);
  let outputs: Tensor[] = [];
  const { grads } = variableGrads(() => {
    outputs = forward(leaves).map((output) => keep(output));
    return outputs.map((output, k) => sum(mul(output, probes[k]))).reduce((a, b) => add(a, b));
  }, [...differentiated, ...parameters.map(([, parameter]) => parameter)]);
  expect(outputs.length).toBe(c.outputs.length);
  outputs.forEach((output, k) => {
    expect(output.shape, `${name}: output ${k} shape`).toEqual(c.outputs[k].shape);
    expectClose(output.dataSync(), c.outputs[k].values, TOLERANCE, `${name}: output ${k}`);
  });
  let g = 0;
  c.inputGrads.forEach((expected, i) => {
    if (expected) expectClose(grads[g++].dataSync(), expected.values, TOLERANCE, `${name}: gradient of input ${i}`);
  });
  for (const output of outputs) output.dispose();
  for (const leaf of differentiated) leaf.dispose();
  return grads.slice(differentiated.length);
}

describe('golden values from PyTorch (float64), within 2e-4', () => {
  it('the fixture covers every layer and op family of the issue', () => {
    const families = new Set(Object.values(cases).map((c) => c.layer ?? c.op));
    for (const family of ['Sequential', 'Dense', 'Conv2D', 'Conv2DTranspose', 'Conv1D', 'MaxPool2D', 'AvgPool2D', 'GlobalAvgPool2D', 'BatchNorm',
      'LayerNorm', 'Embedding', 'SimpleRNN', 'LSTM', 'GRU', 'Bidirectional', 'MultiHeadAttention', 'PositionalEmbedding',
      'layerNorm', 'batchNorm', ...Object.keys(OPS)]) {
      expect(families, family).toContain(family);
    }
  });

  for (const [name, c] of Object.entries(cases)) {
    it(name, () => tidy(() => {
      const inputs = c.inputs.map(toTensor);
      if (c.op) {
        const op = OPS[c.op];
        expect(op, `op ${c.op}`).toBeDefined();
        compare(name, c, inputs, (xs) => [op(xs, c.options ?? {})], []);
        const defaults = Object.keys(c.options ?? {}).every((key) => key === 'axis' && c.options!.axis === -1);
        // The same function as a layer, where the layer's default parameters are the case's.
        if (c.op in ACTIVATION_LAYERS && defaults) {
          compare(`${name} (Activation layer)`, c, inputs, ([x]) => [new Activation({ activation: c.op as ActivationName }).apply(x)], []);
        }
        return;
      }
      const runner = makeRunner(c, inputs);
      const { layer } = runner;
      layer.build(runner.buildShape);
      const state = Object.fromEntries(Object.entries(c.params ?? {}).map(([key, value]) => [key, toTensor(value)]));
      const report = loadPyTorchStateDict(layer, state);
      expect(report).toEqual({ missingKeys: [], unexpectedKeys: [] });
      layer.train(c.training ?? false);
      const parameters = layer.namedParameters({ trainableOnly: true });
      const grads = compare(name, c, inputs, runner.run, parameters);
      const converted = pytorchStateDict(layer, { values: Object.fromEntries(parameters.map(([key], i) => [key, grads[i]])) });
      expect(Object.keys(converted).sort()).toEqual(Object.keys(c.paramGrads ?? {}).sort());
      for (const [key, expected] of Object.entries(c.paramGrads ?? {})) {
        expectClose(converted[key].dataSync(), expected.values, TOLERANCE, `${name}: gradient of ${key}`);
      }
      if (c.after) {
        const exported = pytorchStateDict(layer);
        for (const [key, expected] of Object.entries(c.after)) expectClose(exported[key].dataSync(), expected.values, TOLERANCE, `${name}: ${key} after the step`);
        for (const value of Object.values(exported)) value.dispose();
      }
      for (const value of Object.values(converted)) value.dispose();
      layer.dispose();
    }));
  }
});

const ACTIVATION_LAYERS: Record<string, true> = {
  sigmoid: true, tanh: true, relu: true, leakyRelu: true, elu: true, selu: true, gelu: true, geluTanh: true, silu: true,
  softplus: true, softmax: true, logSoftmax: true,
};
