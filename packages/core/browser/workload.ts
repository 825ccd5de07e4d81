/**
 * The computations the browser test runs twice: in Chromium on the default CPU backend (WebAssembly
 * SIMD, threaded or not) and in Node on the plain TypeScript CPU backend, whose results are the
 * reference. Inputs come from a fixed-seed generator here, so both sides see the same bits.
 */
import {
  conv2d, grad, linear, matmul, mul, noGrad, softmaxCrossEntropy, sub, sum, tanh, tensor, tidy, variable, variableGrads,
  type Tensor,
} from '../src/index.js';

/** Sizes, chosen so every op reaches the wasm kernels (matmul ≥ 4096 multiply-adds, elementwise ≥ 16384 elements). */
export const MATMUL_SIZE = 256;
const CONV_INPUT_SHAPE = [8, 16, 16, 8];
const CONV_FILTER_SHAPE = [3, 3, 8, 16];
const MLP_BATCH = 128;
const MLP_INPUTS = 64;
const MLP_HIDDEN = 128;
const MLP_CLASSES = 10;
export const MLP_STEPS = 20;
const MLP_LEARNING_RATE = 0.2;
const MATMUL_TIMED_RUNS = 5;

/** What one run reports; plain numbers only, so it crosses page.evaluate as JSON. */
export interface WorkloadResult {
  /** The 256x256 product, row-major. */
  matmul: number[];
  /** Median wall time of one 256x256 matmul (after a warm-up run), in milliseconds. */
  matmulMilliseconds: number;
  conv: { output: number[]; inputGradient: number[]; filterGradient: number[] };
  mlp: { losses: number[]; hiddenWeights: number[]; outputWeights: number[]; milliseconds: number };
}

/** A small deterministic generator (mulberry32) of uniform floats in [-1, 1). */
function seededFloats(length: number, seed: number): Float32Array {
  let state = seed >>> 0;
  const values = new Float32Array(length);
  for (let index = 0; index < length; index++) {
    state = (state + 0x6d2b79f5) >>> 0;
    let mixed = Math.imul(state ^ (state >>> 15), state | 1);
    mixed ^= mixed + Math.imul(mixed ^ (mixed >>> 7), mixed | 61);
    values[index] = (((mixed ^ (mixed >>> 14)) >>> 0) / 4294967296) * 2 - 1;
  }
  return values;
}

function seededTensor(shape: number[], seed: number, scale = 1): Tensor {
  const values = seededFloats(shape.reduce((a, b) => a * b, 1), seed);
  for (let index = 0; index < values.length; index++) values[index] *= scale;
  return tensor(values, shape);
}

function valuesOf(t: Tensor): number[] {
  return Array.from(t.dataSync());
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

function runMatmul(): { values: number[]; milliseconds: number } {
  return tidy(() => {
    const a = seededTensor([MATMUL_SIZE, MATMUL_SIZE], 1);
    const b = seededTensor([MATMUL_SIZE, MATMUL_SIZE], 2);
    const product = matmul(a, b);
    const values = valuesOf(product);
    const times: number[] = [];
    for (let run = 0; run < MATMUL_TIMED_RUNS; run++) {
      const start = performance.now();
      const timed = matmul(a, b);
      timed.dataSync();
      times.push(performance.now() - start);
      timed.dispose();
    }
    return { values, milliseconds: median(times) };
  });
}

/** conv2d (padding 'same') and the gradients of a weighted sum of its output, through grad(). */
function runConv(): WorkloadResult['conv'] {
  return tidy(() => {
    const x = seededTensor(CONV_INPUT_SHAPE, 3);
    const filter = seededTensor(CONV_FILTER_SHAPE, 4, 0.2);
    const outputShape = [...CONV_INPUT_SHAPE.slice(0, 3), CONV_FILTER_SHAPE[3]];
    const outputWeights = seededTensor(outputShape, 5);
    const output = conv2d(x, filter, { padding: 'same' });
    // tanh makes the gradient depend on the forward values, not only on the weights.
    const loss = (input: Tensor, kernel: Tensor) => sum(mul(tanh(conv2d(input, kernel, { padding: 'same' })), outputWeights));
    const [inputGradient, filterGradient] = grad(loss)(x, filter);
    return { output: valuesOf(output), inputGradient: valuesOf(inputGradient), filterGradient: valuesOf(filterGradient) };
  });
}

/** A 64-128-10 relu MLP trained for MLP_STEPS SGD steps on fixed random data and labels. */
function runMlp(): WorkloadResult['mlp'] {
  const x = seededTensor([MLP_BATCH, MLP_INPUTS], 6);
  const labelValues = seededFloats(MLP_BATCH, 7).map((value) => Math.floor((value + 1) * 0.5 * MLP_CLASSES));
  const labels = tensor(Int32Array.from(labelValues), [MLP_BATCH], 'int32');
  // Variables survive tidy; the tensors they were made from do not.
  const parameters = tidy(() => [
    variable(seededTensor([MLP_INPUTS, MLP_HIDDEN], 8, 0.15), 'hiddenWeights'),
    variable(seededTensor([MLP_HIDDEN], 9, 0.1), 'hiddenBias'),
    variable(seededTensor([MLP_HIDDEN, MLP_CLASSES], 10, 0.1), 'outputWeights'),
    variable(seededTensor([MLP_CLASSES], 11, 0.1), 'outputBias'),
  ]);
  const [hiddenWeights, hiddenBias, outputWeights, outputBias] = parameters;
  const losses: number[] = [];
  const start = performance.now();
  for (let step = 0; step < MLP_STEPS; step++) {
    tidy(() => {
      const { value, grads } = variableGrads(() => {
        const hidden = linear(x, hiddenWeights, { bias: hiddenBias, activation: 'relu' });
        return softmaxCrossEntropy(linear(hidden, outputWeights, { bias: outputBias }), labels);
      }, parameters);
      losses.push(value.dataSync()[0]);
      // Plain SGD: linear in the gradient, so rounding differences stay at rounding size (Adam's
      // normalisation turns a near-zero gradient's last bits into a full-size step).
      noGrad(() => parameters.forEach((parameter, index) => parameter.assign(sub(parameter, mul(grads[index], MLP_LEARNING_RATE)))));
    });
  }
  const milliseconds = performance.now() - start;
  const result = { losses, hiddenWeights: valuesOf(hiddenWeights), outputWeights: valuesOf(outputWeights), milliseconds };
  for (const t of [x, labels, ...parameters]) t.dispose();
  return result;
}

/** Runs every computation on the active backend. */
export function runWorkload(): WorkloadResult {
  const { values, milliseconds } = runMatmul();
  return { matmul: values, matmulMilliseconds: milliseconds, conv: runConv(), mlp: runMlp() };
}
