import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DendriteError } from '@dendrite/core';
import { describe, expect, it } from 'vitest';
import { Activation, ELU, GELU, LeakyReLU, LogSoftmax, ReLU, SELU, SiLU, Sigmoid, Softmax, Softplus, Tanh } from './activations.js';
import { MultiHeadAttention } from './attention.js';
import { Concatenate } from './concatenate.js';
import { Conv1D } from './conv1d.js';
import { Conv2D, Conv2DTranspose } from './conv2d.js';
import { CosineDense } from './cosine-dense.js';
import { Dense } from './dense.js';
import { Dropout } from './dropout.js';
import { Embedding } from './embedding.js';
import type { AnyLayer } from './layer.js';
import { loadModel, saveModel } from './node.js';
import { BatchNorm, LayerNorm } from './normalization.js';
import { checkOptionNames } from './options.js';
import { AvgPool2D, GlobalAvgPool2D, MaxPool2D } from './pooling.js';
import { PositionalEmbedding } from './positional-embedding.js';
import { MagnitudePruning } from './pruning.js';
import { loadPyTorchStateDict, pytorchStateDict } from './pytorch.js';
import { quantizeModel } from './quantization/quantize-model.js';
import { QuantizedConv2D } from './quantization/quantized-conv2d.js';
import { QuantizedDense } from './quantization/quantized-dense.js';
import { Bidirectional } from './recurrent/bidirectional.js';
import { GRU } from './recurrent/gru.js';
import { LSTM } from './recurrent/lstm.js';
import { SimpleRNN } from './recurrent/simple-rnn.js';
import { Flatten, Reshape } from './reshape.js';
import { Sequential } from './sequential.js';
import { modelFromBytes, modelToBytes } from './serialization/bytes.js';
import { BUILTIN_LAYERS, modelFromTopology, modelTopology } from './serialization/topology.js';

type Options = Record<string, unknown>;
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyLayerClass = new (options: any) => AnyLayer;

interface Case {
  cls: AnyLayerClass;
  /** Options that build the layer. */
  valid: () => Options;
  /** A misspelt option added to `valid`, and the start of the error it must give. */
  typo: [key: string, message: string];
  /** One bad value replacing an option of `valid`, and the error it must give. */
  bad: [key: string, value: unknown, message: string];
}

const conv = { filters: 4, kernelSize: 3 };
const recurrent = { units: 3 };

/** Each public layer: a misspelt option and a bad value, with the messages they must give. */
const CASES: Case[] = [
  { cls: Dense, valid: () => ({ units: 4 }), typo: ['unit', "Dense: unknown option 'unit' (did you mean 'units'?); valid options are name, seed, trainable, units, activation, useBias, kernelInitializer, biasInitializer"], bad: ['units', 2.5, 'Dense: units must be a positive integer, got 2.5'] },
  { cls: Dense, valid: () => ({ units: 4 }), typo: ['activaton', "Dense: unknown option 'activaton' (did you mean 'activation'?)"], bad: ['activation', 'relux', 'Dense: unknown activation "relux"'] },
  { cls: Dense, valid: () => ({ units: 4 }), typo: ['use_bias', "Dense: unknown option 'use_bias' (did you mean 'useBias'?)"], bad: ['useBias', 'yes', 'Dense: useBias must be true or false, got "yes"'] },
  { cls: Conv2D, valid: () => ({ ...conv }), typo: ['kernel_size', "Conv2D: unknown option 'kernel_size' (did you mean 'kernelSize'?); valid options are name, seed, trainable, filters, kernelSize, stride, padding, dilation, activation, useBias, kernelInitializer, biasInitializer, groups"], bad: ['filters', -8, 'Conv2D: filters must be a positive integer, got -8'] },
  { cls: Conv2D, valid: () => ({ ...conv }), typo: ['strides', "Conv2D: unknown option 'strides' (did you mean 'stride'?)"], bad: ['padding', 'full', "Conv2D: padding must be 'same', 'valid', a non-negative integer or [top, bottom, left, right], got \"full\""] },
  { cls: Conv2DTranspose, valid: () => ({ ...conv }), typo: ['output_padding', "Conv2DTranspose: unknown option 'output_padding' (did you mean 'outputPadding'?)"], bad: ['stride', Number.NaN, 'Conv2DTranspose: stride must be a positive integer or a pair of them, got null'] },
  { cls: Conv1D, valid: () => ({ ...conv }), typo: ['kernel', "Conv1D: unknown option 'kernel'"], bad: ['kernelSize', 0, 'Conv1D: kernelSize must be a positive integer, got 0'] },
  { cls: CosineDense, valid: () => ({ units: 4 }), typo: ['scal', "CosineDense: unknown option 'scal' (did you mean 'scale'?)"], bad: ['scale', Number.NaN, 'CosineDense: scale must be a finite number > 0, got NaN'] },
  { cls: MaxPool2D, valid: () => ({}), typo: ['pool_size', "MaxPool2D: unknown option 'pool_size' (did you mean 'poolSize'?); valid options are name, seed, trainable, poolSize, stride, padding"], bad: ['padding', 'valdi', "MaxPool2D: padding must be 'same', 'valid', a non-negative integer or [top, bottom, left, right], got \"valdi\""] },
  { cls: AvgPool2D, valid: () => ({}), typo: ['strides', "AvgPool2D: unknown option 'strides' (did you mean 'stride'?)"], bad: ['poolSize', 1.5, 'AvgPool2D: poolSize must be a positive integer or a pair of them, got 1.5'] },
  { cls: GlobalAvgPool2D, valid: () => ({}), typo: ['keepdims', "GlobalAvgPool2D: unknown option 'keepdims' (did you mean 'keepDims'?)"], bad: ['keepDims', 1, 'GlobalAvgPool2D: keepDims must be true or false, got 1'] },
  { cls: Flatten, valid: () => ({}), typo: ['axis', "Flatten: unknown option 'axis'; valid options are name, seed, trainable"], bad: ['trainable', 'no', 'Flatten: trainable must be true or false, got "no"'] },
  { cls: Reshape, valid: () => ({ targetShape: [4] }), typo: ['shape', "Reshape: unknown option 'shape'"], bad: ['targetShape', [-1, -1], 'Reshape: targetShape must be positive integers with at most one -1, got [-1,-1]'] },
  { cls: Concatenate, valid: () => ({}), typo: ['dim', "Concatenate: unknown option 'dim'"], bad: ['axis', 0, 'Concatenate: axis must be a non-zero integer (0 is the batch axis), got 0'] },
  { cls: Dropout, valid: () => ({ rate: 0.5 }), typo: ['p', "Dropout: unknown option 'p'"], bad: ['rate', 1, 'Dropout: rate must be in [0, 1), got 1'] },
  { cls: BatchNorm, valid: () => ({}), typo: ['eps', "BatchNorm: unknown option 'eps'"], bad: ['center', 'true', 'BatchNorm: center must be true or false, got "true"'] },
  { cls: LayerNorm, valid: () => ({}), typo: ['epsilon_', "LayerNorm: unknown option 'epsilon_' (did you mean 'epsilon'?)"], bad: ['axis', 1.5, 'LayerNorm: axis must be an integer or a non-empty list of them, got 1.5'] },
  { cls: Embedding, valid: () => ({ inputDim: 10, outputDim: 4 }), typo: ['input_dim', "Embedding: unknown option 'input_dim' (did you mean 'inputDim'?)"], bad: ['outputDim', Number.NaN, 'Embedding: outputDim must be a positive integer, got NaN'] },
  { cls: PositionalEmbedding, valid: () => ({ maxLength: 8 }), typo: ['maxLen', "PositionalEmbedding: unknown option 'maxLen' (did you mean 'maxLength'?); valid options are name, seed, trainable, maxLength, kind, embeddingsInitializer"], bad: ['kind', 'rotary', "PositionalEmbedding: kind must be 'learned' or 'sinusoidal', got \"rotary\""] },
  { cls: Activation, valid: () => ({ activation: 'relu' }), typo: ['fn', "Activation: unknown option 'fn'"], bad: ['activation', 'rleu', 'Activation: unknown activation "rleu"'] },
  { cls: ReLU, valid: () => ({}), typo: ['inplace', "ReLU: unknown option 'inplace'; valid options are name, seed, trainable"], bad: ['seed', 1.5, 'ReLU: seed must be an integer, got 1.5'] },
  { cls: Sigmoid, valid: () => ({}), typo: ['nme', "Sigmoid: unknown option 'nme' (did you mean 'name'?)"], bad: ['name', 'a.b', 'Sigmoid: name must be a non-empty string without dots, got "a.b"'] },
  { cls: Tanh, valid: () => ({}), typo: ['alpha', "Tanh: unknown option 'alpha'"], bad: ['trainable', 0, 'Tanh: trainable must be true or false, got 0'] },
  { cls: SELU, valid: () => ({}), typo: ['alpha', "SELU: unknown option 'alpha'"], bad: ['trainable', null, 'SELU: trainable must be true or false, got null'] },
  { cls: SiLU, valid: () => ({}), typo: ['beta', "SiLU: unknown option 'beta'"], bad: ['seed', Number.NaN, 'SiLU: seed must be an integer, got NaN'] },
  { cls: Softplus, valid: () => ({}), typo: ['beta', "Softplus: unknown option 'beta'"], bad: ['name', '', 'Softplus: name must be a non-empty string without dots, got ""'] },
  { cls: LeakyReLU, valid: () => ({}), typo: ['negativeSlope', "LeakyReLU: unknown option 'negativeSlope'"], bad: ['alpha', Number.NaN, 'LeakyReLU: alpha must be a finite number, got NaN'] },
  { cls: ELU, valid: () => ({}), typo: ['alpa', "ELU: unknown option 'alpa' (did you mean 'alpha'?)"], bad: ['alpha', Infinity, 'ELU: alpha must be a finite number, got Infinity'] },
  { cls: GELU, valid: () => ({}), typo: ['approx', "GELU: unknown option 'approx' (did you mean 'approximate'?)"], bad: ['approximate', 'erf', "GELU: approximate must be 'none' or 'tanh', got \"erf\""] },
  { cls: Softmax, valid: () => ({}), typo: ['dim', "Softmax: unknown option 'dim'"], bad: ['axis', 0.5, 'Softmax: axis must be an integer, got 0.5'] },
  { cls: LogSoftmax, valid: () => ({}), typo: ['axes', "LogSoftmax: unknown option 'axes' (did you mean 'axis'?)"], bad: ['axis', '1', 'LogSoftmax: axis must be an integer, got "1"'] },
  { cls: SimpleRNN, valid: () => ({ ...recurrent }), typo: ['return_sequences', "SimpleRNN: unknown option 'return_sequences' (did you mean 'returnSequences'?)"], bad: ['returnSequences', 'yes', 'SimpleRNN: returnSequences must be true or false, got "yes"'] },
  { cls: GRU, valid: () => ({ ...recurrent }), typo: ['recurrentActivaton', "GRU: unknown option 'recurrentActivaton' (did you mean 'recurrentActivation'?)"], bad: ['units', 0, 'GRU: units must be a positive integer, got 0'] },
  { cls: LSTM, valid: () => ({ ...recurrent }), typo: ['unit_forget_bias', "LSTM: unknown option 'unit_forget_bias' (did you mean 'unitForgetBias'?)"], bad: ['unitForgetBias', 1, 'LSTM: unitForgetBias must be true or false, got 1'] },
  { cls: Bidirectional, valid: () => ({ layer: new LSTM({ units: 2 }) }), typo: ['merge_mode', "Bidirectional: unknown option 'merge_mode' (did you mean 'mergeMode'?)"], bad: ['mergeMode', 'max', "Bidirectional: mergeMode must be 'concat', 'sum', 'mul' or 'average', got \"max\""] },
  { cls: MultiHeadAttention, valid: () => ({ numHeads: 2 }), typo: ['num_heads', "MultiHeadAttention: unknown option 'num_heads' (did you mean 'numHeads'?)"], bad: ['dropout', Number.NaN, 'MultiHeadAttention: dropout must be in [0, 1), got NaN'] },
  { cls: MultiHeadAttention, valid: () => ({ numHeads: 2 }), typo: ['casual', "MultiHeadAttention: unknown option 'casual' (did you mean 'causal'?)"], bad: ['causal', 'yes', 'MultiHeadAttention: causal must be true or false, got "yes"'] },
  { cls: QuantizedDense, valid: () => ({ units: 4 }), typo: ['units_', "QuantizedDense: unknown option 'units_' (did you mean 'units'?)"], bad: ['inputScale', -1, 'QuantizedDense: inputScale must be a finite number >= 0, got -1'] },
  { cls: QuantizedConv2D, valid: () => ({ filters: 4, kernelSize: [3, 3] }), typo: ['max_pool', "QuantizedConv2D: unknown option 'max_pool' (did you mean 'maxPool'?)"], bad: ['padding', -1, "QuantizedConv2D: padding must be 'same', 'valid', a non-negative integer or [top, bottom, left, right], got -1"] },
];

describe('layer options', () => {
  it.each(CASES.map((testCase) => [`${testCase.cls.name} ${testCase.typo[0]}`, testCase] as const))('%s: refuses a misspelt option and a bad value, naming them', (_, testCase) => {
    const { cls, valid, typo: [typoKey, typoMessage], bad: [badKey, badValue, badMessage] } = testCase;
    expect(() => new cls(valid())).not.toThrow();
    const withTypo = () => new cls({ ...valid(), [typoKey]: 1 });
    expect(withTypo).toThrow(DendriteError);
    expect(withTypo).toThrow(typoMessage);
    const withBadValue = () => new cls({ ...valid(), [badKey]: badValue });
    expect(withBadValue).toThrow(DendriteError);
    expect(withBadValue).toThrow(badMessage);
  });

  it('covers every built-in layer class', () => {
    const covered = new Set(CASES.map(({ cls }) => cls.name));
    const models = ['Sequential'];
    expect(Object.keys(BUILTIN_LAYERS).filter((name) => !covered.has(name) && !models.includes(name))).toEqual([]);
  });

  it('refuses unknown options of models and of predict', () => {
    expect(() => new Sequential([], { name: 'm', seeds: 1 } as never)).toThrow("Sequential: unknown option 'seeds' (did you mean 'seed'?); valid options are name, seed, trainable");
    const model = new Sequential([new Dense({ units: 2 })]);
    expect(() => model.predict(null as never, { batch_size: 4 } as never)).toThrow("predict: unknown option 'batch_size' (did you mean 'batchSize'?); valid options are batchSize");
  });

  it('refuses unknown options and bad values of the save, load, quantization, pruning and state-dict functions', async () => {
    const net = new Sequential([new Dense({ units: 2 })]);
    net.build([-1, 3]);
    const directory = join(tmpdir(), `dendrite-options-${process.pid}`);
    await expect(saveModel(net, directory, { dtyp: 'float16' } as never)).rejects.toThrow("saveModel: unknown option 'dtyp' (did you mean 'dtype'?); valid options are layers, dtype");
    await expect(saveModel(net, directory, { dtype: 'int8' } as never)).rejects.toThrow('saveModel: dtype must be \'float32\' or \'float16\', got "int8"');
    expect(existsSync(directory)).toBe(false);
    await expect(loadModel(directory, { max_bytes: 10 } as never)).rejects.toThrow("loadModel: unknown option 'max_bytes' (did you mean 'maxBytes'?); valid options are layers, maxBytes");
    await expect(modelToBytes(net, { layer: {} } as never)).rejects.toThrow("modelToBytes: unknown option 'layer' (did you mean 'layers'?)");
    expect(() => modelFromBytes(new Uint8Array(8), { maxBytes: -1 })).toThrow('modelFromBytes: maxBytes must be a positive integer, got -1');
    await expect(quantizeModel(net, { fusePool: false } as never)).rejects.toThrow("quantizeModel: unknown option 'fusePool' (did you mean 'fusePooling'?); valid options are calibration, layers, fusePooling");
    expect(() => new MagnitudePruning(net, { finalSparsity: 0.5, endstep: 10 } as never)).toThrow("MagnitudePruning: unknown option 'endstep' (did you mean 'endStep'?)");
    expect(() => net.loadStateDict(net.stateDict(), { strcit: false } as never)).toThrow("loadStateDict: unknown option 'strcit' (did you mean 'strict'?); valid options are strict");
    expect(() => loadPyTorchStateDict(net, {}, { strict: 'no' } as never)).toThrow('loadPyTorchStateDict: strict must be true or false, got "no"');
    expect(() => pytorchStateDict(net, { value: {} } as never)).toThrow("pytorchStateDict: unknown option 'value' (did you mean 'values'?)");
  });

  it("does not refuse the options of a user's subclass that declares none", () => {
    class Scaled extends Dense {
      readonly factor: number;
      constructor(options: { units: number; factor: number }) {
        super(options);
        this.factor = options.factor;
      }
    }
    expect(new Scaled({ units: 2, factor: 3 }).factor).toBe(3);
  });

  it('rebuilds every layer from the config it saves', () => {
    for (const { cls, valid } of CASES) {
      const layer = new cls(valid());
      const rebuilt = modelFromTopology(JSON.parse(JSON.stringify(modelTopology(layer))), {}, 'test');
      expect(rebuilt.constructor).toBe(cls);
      expect(rebuilt.getConfig()).toEqual(layer.getConfig());
    }
  });

  it('still reads the topologies of the pretrained models the apps ship', () => {
    const pretrained = join(import.meta.dirname, '../../../apps/image-classifier/src/pretrained');
    const folders = readdirSync(pretrained, { withFileTypes: true }).filter((entry) => entry.isDirectory());
    expect(folders.length).toBeGreaterThan(0);
    for (const folder of folders) {
      const path = join(pretrained, folder.name, 'model.json');
      const model = modelFromTopology(JSON.parse(readFileSync(path, 'utf8')), {}, path);
      expect(model.constructor.name).toBe('Sequential');
    }
  });

  it('checkOptionNames names the key, the place and the valid options, suggesting only close names', () => {
    expect(() => checkOptionNames('MyLayer', { colour: 1 }, ['color', 'size'])).toThrow("MyLayer: unknown option 'colour' (did you mean 'color'?); valid options are color, size");
    expect(() => checkOptionNames('MyLayer', { weight: 1 }, ['color', 'size'])).toThrow("MyLayer: unknown option 'weight'; valid options are color, size");
    expect(() => checkOptionNames('MyLayer', { size: 1 }, ['color', 'size'])).not.toThrow();
  });
});
