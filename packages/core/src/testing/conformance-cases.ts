import type { Tensor } from '../tensor.js';
import * as ops from '../ops/index.js';

/** How to draw one input of a conformance case. */
export interface InputSpec {
  shape: readonly number[];
  dtype?: 'float32' | 'int32';
  /**
   * 'normal': values in ±[0.1, 1] (away from kinks at 0); 'positive': [0.5, 2]; 'spread': distinct
   * values in [-3, 3] with no near-ties (for max/min/argmax/pooling); 'index': int32 in [0, max).
   */
  kind?: 'normal' | 'positive' | 'spread' | 'index';
  /** Exclusive upper bound for 'index' inputs. */
  max?: number;
}

/** One op checked on every backend: forward values, and gradients unless `grad` is false. */
/** One op of the conformance suite: inputs to make and the function of them to compare across backends. */
export interface ConformanceCase {
  name: string;
  inputs: readonly InputSpec[];
  /** The ops under test, applied to the made inputs. */
  fn: (...inputs: Tensor[]) => Tensor;
  grad?: boolean;
}

const f = (...shape: number[]): InputSpec => ({ shape });
const positive = (...shape: number[]): InputSpec => ({ shape, kind: 'positive' });
const spread = (...shape: number[]): InputSpec => ({ shape, kind: 'spread' });
const index = (max: number, ...shape: number[]): InputSpec => ({ shape, dtype: 'int32', kind: 'index', max });

/** Every op of @dendrite/core, with shapes that exercise broadcasting, ranks 0–4 and odd sizes. */
export const CONFORMANCE_CASES: readonly ConformanceCase[] = [
  // elementwise unary
  { name: 'neg', inputs: [f(3, 5)], fn: ops.neg },
  { name: 'exp', inputs: [f(2, 3, 4)], fn: ops.exp },
  { name: 'log', inputs: [positive(7)], fn: ops.log },
  { name: 'sqrt', inputs: [positive(3, 3)], fn: ops.sqrt },
  { name: 'abs', inputs: [f(9)], fn: ops.abs },
  { name: 'sign', inputs: [f(9)], fn: ops.sign, grad: false },
  { name: 'square', inputs: [f(2, 5)], fn: ops.square },
  { name: 'sigmoid', inputs: [spread(4, 6)], fn: ops.sigmoid },
  { name: 'tanh', inputs: [spread(4, 6)], fn: ops.tanh },
  { name: 'relu', inputs: [f(5, 4)], fn: ops.relu },
  { name: 'leakyRelu', inputs: [f(5, 4)], fn: (x) => ops.leakyRelu(x, 0.2) },
  { name: 'elu', inputs: [f(5, 4)], fn: (x) => ops.elu(x) },
  { name: 'selu', inputs: [f(5, 4)], fn: ops.selu },
  { name: 'gelu', inputs: [spread(3, 7)], fn: (x) => ops.gelu(x) },
  { name: 'gelu tanh', inputs: [spread(3, 7)], fn: (x) => ops.gelu(x, { approximate: 'tanh' }) },
  { name: 'silu', inputs: [spread(3, 7)], fn: ops.silu },
  { name: 'softplus', inputs: [spread(3, 7)], fn: ops.softplus },
  { name: 'erf', inputs: [spread(11)], fn: ops.erf },
  { name: 'floor', inputs: [spread(11)], fn: ops.floor, grad: false },
  { name: 'sin', inputs: [spread(6)], fn: ops.sin },
  { name: 'cos', inputs: [spread(6)], fn: ops.cos },
  { name: 'clip', inputs: [spread(4, 5)], fn: (x) => ops.clip(x, -1.1, 0.9) },
  // elementwise binary, broadcasting
  { name: 'add same shape', inputs: [f(3, 4), f(3, 4)], fn: ops.add },
  { name: 'add bias broadcast', inputs: [f(5, 3), f(3)], fn: ops.add },
  { name: 'add both broadcast', inputs: [f(4, 1, 3), f(2, 1)], fn: ops.add },
  { name: 'add scalar tensor', inputs: [f(2, 3), f()], fn: ops.add },
  { name: 'add int32', inputs: [index(9, 2, 3), index(9, 3)], fn: ops.add, grad: false },
  { name: 'sub', inputs: [f(2, 3, 4), f(3, 1)], fn: ops.sub },
  { name: 'mul', inputs: [f(2, 3, 4), f(1, 3, 4)], fn: ops.mul },
  { name: 'mul by number', inputs: [f(6)], fn: (x) => ops.mul(x, 2.5) },
  { name: 'div', inputs: [f(3, 4), positive(4)], fn: ops.div },
  { name: 'pow', inputs: [positive(2, 3), f(2, 3)], fn: ops.pow },
  { name: 'maximum', inputs: [spread(3, 4), spread(4)], fn: ops.maximum },
  { name: 'minimum', inputs: [spread(3, 4), spread(3, 1)], fn: ops.minimum },
  { name: 'equal', inputs: [index(3, 4, 4), index(3, 4)], fn: ops.equal, grad: false },
  { name: 'notEqual', inputs: [index(3, 4, 4), index(3, 4)], fn: ops.notEqual, grad: false },
  { name: 'less', inputs: [spread(3, 4), spread(4)], fn: ops.less, grad: false },
  { name: 'lessEqual', inputs: [index(3, 4, 4), index(3, 4)], fn: ops.lessEqual, grad: false },
  { name: 'greater', inputs: [spread(3, 4), spread(4)], fn: ops.greater, grad: false },
  { name: 'greaterEqual', inputs: [index(3, 4, 4), index(3, 4)], fn: ops.greaterEqual, grad: false },
  { name: 'where', inputs: [spread(3, 4), f(3, 4), f(4)], fn: (c, a, b) => ops.where(ops.greater(c, 0), a, b) },
  // reductions
  { name: 'sum all', inputs: [f(3, 4, 5)], fn: (x) => ops.sum(x) },
  { name: 'sum axis 1', inputs: [f(3, 4, 5)], fn: (x) => ops.sum(x, 1) },
  { name: 'sum axes 0,2 keepDims', inputs: [f(3, 4, 5)], fn: (x) => ops.sum(x, [0, 2], true) },
  { name: 'sum int32', inputs: [index(50, 4, 6)], fn: (x) => ops.sum(x, 0), grad: false },
  { name: 'mean', inputs: [f(4, 6)], fn: (x) => ops.mean(x, -1) },
  { name: 'max', inputs: [spread(4, 6)], fn: (x) => ops.max(x, 1) },
  { name: 'max all', inputs: [spread(2, 3, 4)], fn: (x) => ops.max(x) },
  { name: 'min', inputs: [spread(4, 6)], fn: (x) => ops.min(x, 0, true) },
  { name: 'argmax', inputs: [spread(4, 6)], fn: (x) => ops.argmax(x, 1), grad: false },
  { name: 'argmin', inputs: [spread(3, 5, 2)], fn: (x) => ops.argmin(x, 1), grad: false },
  { name: 'logSumExp', inputs: [spread(3, 5)], fn: (x) => ops.logSumExp(x, 1) },
  { name: 'variance', inputs: [f(4, 5)], fn: (x) => ops.variance(x, 0) },
  { name: 'layerNorm', inputs: [spread(3, 5), f(5), f(5)], fn: (x, g, b) => ops.layerNorm(x, g, b) },
  { name: 'batchNorm', inputs: [spread(2, 3, 4), f(4), f(4)], fn: (x, g, b) => ops.batchNorm(x, g, b) },
  { name: 'batchNorm given statistics', inputs: [f(3, 4), f(4), f(4), f(4), positive(4)], fn: (x, g, b, m, v) => ops.batchNorm(x, g, b, { mean: m, variance: v }) },
  // linear algebra
  { name: 'matmul', inputs: [f(3, 4), f(4, 5)], fn: (a, b) => ops.matmul(a, b) },
  { name: 'matmul transposeA', inputs: [f(4, 3), f(4, 5)], fn: (a, b) => ops.matmul(a, b, { transposeA: true }) },
  { name: 'matmul transposeB', inputs: [f(3, 4), f(5, 4)], fn: (a, b) => ops.matmul(a, b, { transposeB: true }) },
  { name: 'matmul both transposed', inputs: [f(4, 3), f(5, 4)], fn: (a, b) => ops.matmul(a, b, { transposeA: true, transposeB: true }) },
  { name: 'matmul batched broadcast', inputs: [f(2, 1, 3, 4), f(3, 4, 2)], fn: (a, b) => ops.matmul(a, b) },
  { name: 'matmul vector', inputs: [f(4), f(4, 3)], fn: (a, b) => ops.matmul(a, b) },
  { name: 'linear relu', inputs: [f(5, 4), f(4, 3), f(3)], fn: (x, w, b) => ops.linear(x, w, { bias: b, activation: 'relu' }) },
  { name: 'linear sigmoid transposed', inputs: [f(5, 4), f(3, 4), f(3)], fn: (x, w, b) => ops.linear(x, w, { bias: b, activation: 'sigmoid', transposeWeight: true }) },
  { name: 'linear tanh no bias', inputs: [f(2, 6), f(6, 4)], fn: (x, w) => ops.linear(x, w, { activation: 'tanh' }) },
  // shape
  { name: 'reshape', inputs: [f(2, 6)], fn: (x) => ops.mul(ops.reshape(x, [3, -1]), 2) },
  { name: 'transpose 2d', inputs: [f(3, 5)], fn: (x) => ops.transpose(x) },
  { name: 'transpose 4d', inputs: [f(2, 3, 4, 5)], fn: (x) => ops.transpose(x, [0, 3, 1, 2]) },
  { name: 'slice', inputs: [f(4, 5, 3)], fn: (x) => ops.slice(x, [1, 0, 1], [2, -1, 2]) },
  { name: 'split', inputs: [f(6, 4)], fn: (x) => ops.split(x, [1, 2, 3], 0)[1] },
  { name: 'pad', inputs: [f(2, 3)], fn: (x) => ops.pad(x, [[1, 0], [2, 1]], 0.5) },
  { name: 'concat axis 1', inputs: [f(2, 3), f(2, 2), f(2, 1)], fn: (a, b, c) => ops.concat([a, b, c], 1) },
  { name: 'stack', inputs: [f(2, 3), f(2, 3)], fn: (a, b) => ops.stack([a, b], 1) },
  // Three of the four slices used, one twice, one not at all: the gradient stacks zeros for it.
  { name: 'unstack axis 1', inputs: [f(2, 4, 3)], fn: (x) => { const [a, , c, d] = ops.unstack(x, 1); return ops.stack([ops.mul(a, c), d, a], -1); } },
  { name: 'gather axis 0', inputs: [f(5, 3), index(5, 2, 4)], fn: (x, i) => ops.gather(x, i, 0) },
  { name: 'gather axis 1', inputs: [f(2, 6, 3), index(6, 7)], fn: (x, i) => ops.gather(x, i, 1) },
  { name: 'scatterAdd', inputs: [f(6, 2), index(4, 6)], fn: (u, i) => ops.scatterAdd(u, i, [4, 2], 0) },
  { name: 'topK values', inputs: [spread(3, 2, 9)], fn: (x) => ops.topK(x, 4).values },
  { name: 'topK indices unsorted', inputs: [spread(4, 7)], fn: (x) => ops.topK(x, 3, { sorted: false }).indices, grad: false },
  { name: 'broadcastTo', inputs: [f(3, 1)], fn: (x) => ops.broadcastTo(x, [2, 3, 4]) },
  { name: 'cast', inputs: [spread(7)], fn: (x) => ops.cast(x, 'int32'), grad: false },
  { name: 'oneHot', inputs: [index(4, 5)], fn: (i) => ops.oneHot(i, 4), grad: false },
  // neural network ops
  { name: 'softmax', inputs: [spread(3, 5)], fn: (x) => ops.softmax(x) },
  { name: 'logSoftmax', inputs: [spread(3, 5)], fn: (x) => ops.logSoftmax(x, 1) },
  { name: 'softmaxCrossEntropy int labels', inputs: [spread(4, 5), index(5, 4)], fn: (logits, labels) => ops.softmaxCrossEntropy(logits, labels) },
  { name: 'softmaxCrossEntropy probabilities', inputs: [spread(4, 5), positive(4, 5)], fn: (logits, p) => ops.softmaxCrossEntropy(logits, ops.div(p, ops.sum(p, 1, true))) },
  { name: 'softmaxCrossEntropy int labels none', inputs: [spread(4, 5), index(5, 4)], fn: (logits, labels) => ops.softmaxCrossEntropy(logits, labels, { reduction: 'none' }) },
  { name: 'softmaxCrossEntropy label smoothing', inputs: [spread(4, 5), index(5, 4), positive(4)], fn: (logits, labels, w) => ops.softmaxCrossEntropy(logits, labels, { labelSmoothing: 0.1, weights: w }) },
  { name: 'sigmoidCrossEntropy', inputs: [spread(3, 4), f(3, 4)], fn: (x, t) => ops.sigmoidCrossEntropy(x, ops.sigmoid(t), { reduction: 'none' }) },
  { name: 'binaryCrossEntropy', inputs: [f(3, 4), f(3, 4)], fn: (x, t) => ops.binaryCrossEntropy(ops.sigmoid(x), ops.sigmoid(t), { reduction: 'sum' }) },
  { name: 'meanSquaredError', inputs: [f(3, 4), f(3, 4), positive(3)], fn: (a, b, w) => ops.meanSquaredError(a, b, { weights: w }) },
  { name: 'huberLoss', inputs: [spread(3, 4), f(3, 4)], fn: (a, b) => ops.huberLoss(a, b, { delta: 0.5, reduction: 'none' }) },
  { name: 'cosineSimilarityLoss', inputs: [f(3, 4), f(3, 4)], fn: (a, b) => ops.cosineSimilarityLoss(a, b, { reduction: 'none' }) },
  { name: 'conv2d valid', inputs: [f(2, 5, 5, 2), f(3, 3, 2, 3)], fn: (x, w) => ops.conv2d(x, w) },
  { name: 'conv2d same stride 2', inputs: [f(1, 6, 5, 2), f(3, 3, 2, 2)], fn: (x, w) => ops.conv2d(x, w, { stride: 2, padding: 'same' }) },
  { name: 'conv2d dilation 2', inputs: [f(1, 7, 7, 1), f(3, 2, 1, 2)], fn: (x, w) => ops.conv2d(x, w, { dilation: 2, padding: 'same' }) },
  { name: 'conv2d bias sigmoid', inputs: [f(2, 5, 4, 3), f(3, 3, 3, 9), f(9)], fn: (x, w, b) => ops.conv2d(x, w, { padding: 'same', bias: b, activation: 'sigmoid' }) },
  { name: 'conv2d tanh no bias stride 2', inputs: [f(1, 6, 5, 2), f(3, 3, 2, 2)], fn: (x, w) => ops.conv2d(x, w, { stride: 2, padding: 'same', activation: 'tanh' }) },
  { name: 'conv2d 5x5 same bias tanh', inputs: [f(2, 7, 6, 4), f(5, 5, 4, 5), f(5)], fn: (x, w, b) => ops.conv2d(x, w, { padding: 'same', bias: b, activation: 'tanh' }) },
  { name: 'conv2d explicit padding', inputs: [f(1, 4, 4, 2), f(2, 2, 2, 1)], fn: (x, w) => ops.conv2d(x, w, { padding: [1, 0, 0, 1], stride: [1, 2] }) },
  { name: 'conv2dMaxPool bias relu', inputs: [f(2, 6, 5, 2), f(3, 3, 2, 8), f(8)], fn: (x, w, b) => ops.conv2dMaxPool(x, w, { padding: 'same', bias: b, activation: 'relu' }) },
  { name: 'conv2dTranspose', inputs: [f(1, 3, 3, 2), f(3, 3, 1, 2)], fn: (x, w) => ops.conv2dTranspose(x, w, { stride: 2, padding: 'same' }) },
  { name: 'maxPool2d', inputs: [spread(2, 4, 4, 3)], fn: (x) => ops.maxPool2d(x, 2) },
  { name: 'maxPool2d same stride 1', inputs: [spread(1, 5, 5, 2)], fn: (x) => ops.maxPool2d(x, 3, { stride: 1, padding: 'same' }) },
  { name: 'avgPool2d', inputs: [f(2, 4, 6, 2)], fn: (x) => ops.avgPool2d(x, [2, 3]) },
  {
    name: 'adamUpdate', inputs: [f(3, 4), f(3, 4), f(3, 4), positive(3, 4)], grad: false,
    fn: (p, g, m, v) => ops.concat(Object.values(ops.adamUpdate(p, g, m, v, { stepSize: 0.01, beta1: 0.9, beta2: 0.999, epsilon: 1e-8 })), 0),
  },
  {
    // Distinct rows, made inside fn so they live on the backend under test.
    name: 'adamUpdateRows', inputs: [f(4, 3), f(2, 3), f(4, 3), positive(4, 3)], grad: false,
    fn: (p, g, m, v) => ops.concat(Object.values(ops.adamUpdateRows(p, g, ops.tensor([3, 0], [2], 'int32'), m, v, { stepSize: 0.01, beta1: 0.9, beta2: 0.999, epsilon: 1e-8 })), 0),
  },
  { name: 'avgPool2d same', inputs: [f(1, 5, 5, 1)], fn: (x) => ops.avgPool2d(x, 3, { stride: 2, padding: 'same' }) },
];
