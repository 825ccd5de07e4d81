// Test support (not exported from the package): the layer cases that every GPU-backend mode runs,
// and the function that runs one case on whichever backend is active. The Node tests
// (src/gpu-backend.test.ts: gpu.js webasm and headless-gl) and the Chromium page
// (browser/page.ts: WebGL2 and WebGPU) share them, so every mode runs the same cases and is held to
// the same tolerance against the CPU backend.
import { Tensor, add, mul, sum, tensor, tidy, variable, variableGrads } from '@dendrite/core';
import { expectClose } from '@dendrite/core/testing';
import { ELU, GELU, LeakyReLU, LogSoftmax, ReLU, SELU, SiLU, Sigmoid, Softmax, Softplus, Tanh } from '../activations.js';
import { MultiHeadAttention } from '../attention.js';
import { Conv1D } from '../conv1d.js';
import { Conv2D, Conv2DTranspose } from '../conv2d.js';
import { Dense } from '../dense.js';
import { Dropout } from '../dropout.js';
import { Embedding } from '../embedding.js';
import type { InputShape, Layer } from '../layer.js';
import { BatchNorm, LayerNorm } from '../normalization.js';
import { AvgPool2D, GlobalAvgPool2D, MaxPool2D } from '../pooling.js';
import { PositionalEmbedding } from '../positional-embedding.js';
import { Bidirectional } from '../recurrent/bidirectional.js';
import { GRU } from '../recurrent/gru.js';
import { LSTM } from '../recurrent/lstm.js';
import { SimpleRNN } from '../recurrent/simple-rnn.js';
import { Flatten, Reshape } from '../reshape.js';
import { sequential } from '../sequential.js';

/**
 * Tolerance of a GPU mode against the CPU backend, |gpu − cpu| <= atol + rtol·|cpu|: what float32
 * GPU arithmetic allows (the backend's own kernel parity checks use 1e-5 + 1e-4·|x| per kernel; a
 * layer chains several kernels and a backward pass, hence 1e-4 absolute).
 */
export const GPU_LAYER_TOLERANCE = { atol: 1e-4, rtol: 1e-4 } as const;

/** One input of a case: float values (differentiated), int32 ids, or fixed values (masks, not differentiated). */
export type CaseInput =
  | { kind: 'float'; shape: number[] }
  | { kind: 'ids'; shape: number[]; vocabulary: number }
  | { kind: 'fixed'; shape: number[]; values: number[]; dtype: 'float32' | 'int32' };

/** A layer, its inputs, and how it is called. */
export interface LayerCase {
  name: string;
  // Cases hold layers of every input/output type.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  make: () => Layer<any, any>;
  inputs: CaseInput[];
  /** How the layer is applied to the inputs (default: `layer.apply(inputs[0])`). */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  call?: (layer: Layer<any, any>, inputs: Tensor[]) => Tensor | Tensor[];
  /** The shape `build` gets (default: the first input's). */
  buildShape?: InputShape;
  /** 'eval': the layer runs in eval mode, after one training call when `warmup` (BatchNorm's running statistics). */
  mode?: 'train' | 'eval';
  warmup?: boolean;
  /** Dropout: the output's zeros must sit at the same places on both backends (same seed, same mask). */
  sameZeros?: boolean;
}

const float = (...shape: number[]): CaseInput => ({ kind: 'float', shape });
const fixed = (shape: number[], values: number[], dtype: 'float32' | 'int32' = 'int32'): CaseInput => ({ kind: 'fixed', shape, values, dtype });

/** Small shapes: SwiftShader and llvmpipe rasterize on the CPU, and CI has two cores. */
export const LAYER_CASES: LayerCase[] = [
  { name: 'Dense relu', make: () => new Dense({ units: 5, activation: 'relu', seed: 1 }), inputs: [float(3, 4)] },
  { name: 'Dense gelu on rank 3', make: () => new Dense({ units: 3, activation: 'gelu', seed: 2 }), inputs: [float(2, 3, 4)] },
  { name: 'Conv2D stride 2, same', make: () => new Conv2D({ filters: 3, kernelSize: 3, stride: 2, padding: 'same', seed: 3 }), inputs: [float(2, 5, 5, 2)] },
  { name: 'Conv2D groups, dilation', make: () => new Conv2D({ filters: 4, kernelSize: 2, groups: 2, dilation: 2, activation: 'tanh', seed: 4 }), inputs: [float(1, 5, 5, 2)] },
  { name: 'Conv2DTranspose', make: () => new Conv2DTranspose({ filters: 2, kernelSize: 3, stride: 2, padding: 1, outputPadding: 1, seed: 5 }), inputs: [float(1, 3, 3, 2)] },
  { name: 'Conv1D same, dilation 2', make: () => new Conv1D({ filters: 3, kernelSize: 3, padding: 'same', dilation: 2, activation: 'relu', seed: 12 }), inputs: [float(2, 6, 2)] },
  { name: 'Conv1D stride 2', make: () => new Conv1D({ filters: 2, kernelSize: 2, stride: 2, seed: 13 }), inputs: [float(1, 7, 3)] },
  // Past the backend's STRIP_MIN_WORK (2^17 multiply-adds), forward and backward: GL and WebGPU run these
  // four outputs per thread (packed strips; 66 and 10 columns are not multiples of 4, so the padding is cut).
  { name: 'Dense in strips (32 × 64 → 66, relu)', make: () => new Dense({ units: 66, activation: 'relu', seed: 26 }), inputs: [float(32, 64)] },
  { name: 'Conv2D in strips (12 × 12 × 6 → 10, same)', make: () => new Conv2D({ filters: 10, kernelSize: 3, padding: 'same', activation: 'relu', seed: 27 }), inputs: [float(2, 12, 12, 6)] },
  { name: 'MaxPool2D', make: () => new MaxPool2D({ poolSize: 2, stride: 1 }), inputs: [float(1, 4, 4, 2)] },
  { name: 'AvgPool2D', make: () => new AvgPool2D({ poolSize: 2, padding: 'same' }), inputs: [float(1, 3, 3, 2)] },
  { name: 'GlobalAvgPool2D', make: () => new GlobalAvgPool2D(), inputs: [float(2, 3, 3, 2)] },
  { name: 'Dropout (eval: the identity)', make: () => new Dropout({ rate: 0.5, seed: 10 }), inputs: [float(3, 5)], mode: 'eval' },
  { name: 'Dropout (training: same seed, same mask)', make: () => new Dropout({ rate: 0.4, seed: 11 }), inputs: [float(4, 6)], sameZeros: true },
  { name: 'BatchNorm (training, running statistics)', make: () => new BatchNorm({ seed: 6 }), inputs: [float(4, 3)] },
  { name: 'BatchNorm (eval, after a training step)', make: () => new BatchNorm({ momentum: 0.3, seed: 14 }), inputs: [float(2, 3, 3, 2)], mode: 'eval', warmup: true },
  { name: 'LayerNorm', make: () => new LayerNorm({ seed: 7 }), inputs: [float(3, 5)] },
  { name: 'LayerNorm (eval, rank 3)', make: () => new LayerNorm({ epsilon: 1e-3, seed: 15 }), inputs: [float(2, 3, 4)], mode: 'eval' },
  { name: 'Embedding', make: () => new Embedding({ inputDim: 6, outputDim: 3, seed: 8 }), inputs: [{ kind: 'ids', shape: [2, 3], vocabulary: 6 }] },
  { name: 'GELU tanh, SiLU, Softmax', make: () => sequential([new GELU({ approximate: 'tanh' }), new SiLU(), new Softmax()]), inputs: [float(2, 4)] },
  { name: 'Reshape, LeakyReLU, ELU, SELU, Softplus', make: () => sequential([new Reshape({ targetShape: [3, -1] }), new LeakyReLU({ alpha: 0.2 }), new ELU({ alpha: 0.5 }), new SELU(), new Softplus()]), inputs: [float(2, 6)] },
  { name: 'Tanh, ReLU, Sigmoid, LogSoftmax on axis 1', make: () => sequential([new Tanh(), new ReLU(), new Sigmoid(), new LogSoftmax({ axis: 1 })]), inputs: [float(2, 3, 2)] },
  { name: 'Dense sigmoid, exact GELU', make: () => sequential([new Dense({ units: 4, activation: 'sigmoid' }), new GELU()], { seed: 25 }), inputs: [float(3, 2)] },
  { name: 'Conv2D, Flatten, Dense', make: () => sequential([new Conv2D({ filters: 2, kernelSize: 2 }), new Flatten(), new Dense({ units: 3 })], { seed: 9 }), inputs: [float(2, 3, 3, 1)] },
  {
    name: 'SimpleRNN sequences, padding mask',
    make: () => new SimpleRNN({ units: 3, returnSequences: true, seed: 16 }),
    inputs: [float(2, 4, 2), fixed([2, 4], [1, 1, 1, 0, 1, 1, 0, 0])],
    call: (layer, [x, mask]) => layer.apply({ input: x, mask }),
  },
  {
    name: 'LSTM last output and states, lengths, initial state',
    make: () => new LSTM({ units: 3, returnState: true, seed: 17 }),
    inputs: [float(2, 3, 2), float(2, 3), float(2, 3)],
    call: (layer, [x, h, c]) => layer.apply({ input: x, lengths: [3, 2], initialState: [h, c] }),
  },
  {
    name: 'GRU sequences, mask with a hole, reversed',
    make: () => new GRU({ units: 2, returnSequences: true, goBackwards: true, seed: 18 }),
    inputs: [float(2, 4, 3), fixed([2, 4], [1, 0, 1, 1, 0, 1, 1, 1])],
    call: (layer, [x, mask]) => layer.apply({ input: x, mask }),
  },
  {
    name: 'Bidirectional LSTM, concat, padding mask',
    make: () => new Bidirectional({ layer: new LSTM({ units: 2, returnSequences: true }), seed: 19 }),
    inputs: [float(2, 3, 2), fixed([2, 3], [1, 1, 1, 1, 1, 0])],
    call: (layer, [x, mask]) => layer.apply({ input: x, mask }),
  },
  {
    name: 'Bidirectional GRU, sum, last output',
    make: () => new Bidirectional({ layer: new GRU({ units: 3 }), mergeMode: 'sum', seed: 20 }),
    inputs: [float(2, 3, 2)],
  },
  {
    name: 'MultiHeadAttention self, key padding and causal masks',
    make: () => new MultiHeadAttention({ numHeads: 2, seed: 21 }),
    inputs: [float(2, 4, 4), fixed([2, 4], [1, 1, 1, 1, 1, 1, 0, 0])],
    call: (layer, [x, keyMask]) => layer.apply({ query: x, keyMask, causal: true }),
  },
  {
    name: 'MultiHeadAttention cross, per-batch attention mask, other key/value sizes',
    make: () => new MultiHeadAttention({ numHeads: 2, keyDim: 3, valueDim: 2, outputDim: 3, seed: 22 }),
    inputs: [float(2, 2, 4), float(2, 3, 5), float(2, 3, 3), fixed([2, 2, 3], [1, 0, 1, 1, 1, 0, 0, 1, 1, 1, 1, 1], 'float32')],
    call: (layer, [query, key, value, attentionMask]) => layer.apply({ query, key, value, attentionMask }),
    buildShape: [[2, 2, 4], [2, 3, 5], [2, 3, 3]],
  },
  {
    // Seed 24 drops some of the 9 attention weights (the output differs from eval mode's).
    name: 'MultiHeadAttention with attention dropout (training: same seed, same mask)',
    make: () => new MultiHeadAttention({ numHeads: 1, dropout: 0.3, seed: 24 }),
    inputs: [float(1, 3, 2)],
  },
  { name: 'PositionalEmbedding learned', make: () => new PositionalEmbedding({ maxLength: 5, seed: 23 }), inputs: [float(2, 3, 4)] },
  { name: 'PositionalEmbedding sinusoidal', make: () => new PositionalEmbedding({ maxLength: 6, kind: 'sinusoidal' }), inputs: [float(2, 6, 4)] },
];

/**
 * Cases a gpu.js mode cannot run yet, with the reason and the error it gives: the tests run them and
 * require that error, so an entry goes when the mode learns the case. Empty: every mode runs every case.
 */
export const EXPECTED_UNSUPPORTED: Partial<Record<string, Record<string, { message: string; error: RegExp }>>> = {};

/** A case's result as plain arrays (JSON-safe, so the Chromium page can hand it back). */
export interface LayerCaseResult {
  /** Parameters (initializers draw on the host: the same bits on every backend). */
  weights: number[][];
  /** Every output of the call (several for returnState). */
  outputs: number[][];
  /** Gradients of Σ sum(output · probe) with respect to each float input, then each trainable parameter. */
  grads: number[][];
  /** Buffers after the call (BatchNorm's running statistics), by name. */
  buffers: Record<string, number[]>;
}

function inputTensor(input: CaseInput, index: number): Tensor {
  const size = input.shape.reduce((a, b) => a * b, 1);
  if (input.kind === 'ids') return tensor(new Int32Array(size).map((_, i) => (i * 5 + 1) % input.vocabulary), input.shape, 'int32');
  if (input.kind === 'fixed') return tensor(input.values, input.shape, input.dtype);
  return variable(tensor(new Float32Array(size).map((_, i) => Math.sin(i * 1.7 + 0.3 + index)), input.shape));
}

/** Uneven weights, so every output element counts differently in the differentiated scalar. */
function probe(y: Tensor): Tensor {
  return tensor(new Float32Array(y.size).map((_, i) => 0.5 + (i % 7) / 7), y.shape);
}

/**
 * Run a case on the active backend: weights, outputs, gradients and buffers, every tensor freed.
 * Reads are asynchronous (`data()`), as WebGPU requires.
 */
export async function runLayerCase(layerCase: LayerCase): Promise<LayerCaseResult> {
  const layer = layerCase.make();
  const owned: Tensor[] = [];
  try {
    const { outputs, grads } = tidy(() => {
      const inputs = layerCase.inputs.map(inputTensor);
      const differentiable = inputs.filter((_, i) => layerCase.inputs[i].kind === 'float');
      owned.push(...differentiable);
      const call = (): Tensor[] => {
        const result = layerCase.call ? layerCase.call(layer, inputs) : layer.apply(inputs[0]);
        return result instanceof Tensor ? [result] : result;
      };
      layer.build(layerCase.buildShape ?? inputs[0].shape);
      if (layerCase.warmup) call();
      if (layerCase.mode === 'eval') layer.eval();
      const { grads: gradients, aux } = variableGrads(() => {
        const ys = call();
        return [ys.map((y) => sum(mul(y, probe(y)))).reduce((a, b) => add(a, b)), ys] as const;
      }, [...differentiable, ...layer.parameters({ trainableOnly: true })], { hasAux: true });
      return { outputs: aux, grads: gradients };
    });
    owned.push(...outputs, ...grads);
    const read = (tensors: readonly Tensor[]) => Promise.all(tensors.map(async (t) => Array.from(await t.data())));
    const buffers = layer.namedBuffers();
    const bufferValues = await read(buffers.map(([, value]) => value));
    return {
      weights: await read(layer.parameters()),
      outputs: await read(outputs),
      grads: await read(grads),
      buffers: Object.fromEntries(buffers.map(([name], i) => [name, bufferValues[i]])),
    };
  } finally {
    for (const t of owned) if (!t.isDisposed) t.dispose();
    layer.dispose();
  }
}

/**
 * Throws, naming the case and the array, unless `actual` (a GPU mode) matches `expected` (the CPU
 * backend): bit-identical weights (initializers draw on the host), outputs, gradients and buffers
 * within GPU_LAYER_TOLERANCE, and for dropout the zeros at the same places.
 */
export function expectLayerCaseMatches(layerCase: LayerCase, actual: LayerCaseResult, expected: LayerCaseResult): void {
  const label = layerCase.name;
  const count = (what: string, a: unknown[], e: unknown[]) => {
    if (a.length !== e.length) throw new Error(`${label}: ${a.length} ${what}, expected ${e.length}`);
  };
  count('weights', actual.weights, expected.weights);
  actual.weights.forEach((w, i) => expectClose(w, expected.weights[i], { atol: 0, rtol: 0 }, `${label}: weight ${i} (same seed, same bits)`));
  count('outputs', actual.outputs, expected.outputs);
  actual.outputs.forEach((y, i) => expectClose(y, expected.outputs[i], GPU_LAYER_TOLERANCE, `${label}: output ${i}`));
  count('gradients', actual.grads, expected.grads);
  actual.grads.forEach((g, i) => expectClose(g, expected.grads[i], GPU_LAYER_TOLERANCE, `${label}: gradient ${i}`));
  const names = Object.keys(expected.buffers);
  count('buffers', Object.keys(actual.buffers), names);
  for (const name of names) expectClose(actual.buffers[name], expected.buffers[name], GPU_LAYER_TOLERANCE, `${label}: buffer ${name}`);
  if (layerCase.sameZeros) {
    const zeros = (values: number[]) => values.flatMap((value, i) => (value === 0 ? [i] : []));
    const actualZeros = zeros(actual.outputs[0]);
    const expectedZeros = zeros(expected.outputs[0]);
    if (expectedZeros.length === 0 || expectedZeros.length === expected.outputs[0].length) throw new Error(`${label}: the CPU mask dropped ${expectedZeros.length} of ${expected.outputs[0].length}; pick another seed`);
    if (actualZeros.join() !== expectedZeros.join()) throw new Error(`${label}: dropped elements ${actualZeros.join(',')} differ from the CPU's ${expectedZeros.join(',')}`);
  }
}

/** The largest |actual − expected| over a case's outputs, gradients and buffers (for the tests' logs). */
export function largestDifference(actual: LayerCaseResult, expected: LayerCaseResult): number {
  const pairs: [number[], number[]][] = [
    ...actual.outputs.map((y, i): [number[], number[]] => [y, expected.outputs[i]]),
    ...actual.grads.map((g, i): [number[], number[]] => [g, expected.grads[i]]),
    ...Object.keys(expected.buffers).map((name): [number[], number[]] => [actual.buffers[name], expected.buffers[name]]),
  ];
  let largest = 0;
  for (const [a, e] of pairs) for (let i = 0; i < e.length; i++) largest = Math.max(largest, Math.abs(a[i] - e[i]));
  return largest;
}
