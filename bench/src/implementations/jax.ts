// jax-js (`@jax-js/jax`): JAX's model in JavaScript — NumPy-style arrays, grad, and jit, which fuses
// each step into compiled WebAssembly kernels. Used as JAX is: pure functions over parameter lists, the
// whole training step (forward, backward, Adam) under one jit. Arrays follow jax-js' ownership rule:
// passing an array to a function consumes it, `.ref` keeps it; `data()` reads it back and frees it.
import { defaultDevice, grad, init, jit, lax, nn, numpy as np, valueAndGrad } from '@jax-js/jax';
import type { Classifier, Implementation, ParameterValues, Runner } from '../implementation.js';

type JaxArray = np.Array;
type Parameters = JaxArray[];

const VERSION = '0.1.25';
const ADAM = { beta1: 0.9, beta2: 0.999, epsilon: 1e-8 };

/** jax-js on its wasm device (one thread in Node: it has no web `Worker` global, which jax-js' thread pool needs). */
export async function createJaxImplementation(): Promise<Implementation> {
  const devices = await init('wasm');
  if (!devices.includes('wasm')) throw new Error(`jax-js: the wasm device did not start (devices: ${devices.join(', ')})`);
  defaultDevice('wasm');
  return {
    name: 'jax-js',
    describe: () => `@jax-js/jax ${VERSION}, wasm device, ${threads()} thread, whole steps under jit`,
    matmul: matmulRunner,
    conv2dForwardBackward: convRunner,
    mlp: (parameters, learningRate) => jaxClassifier(parameters, learningRate, mlpLogits),
    cnn: (parameters, learningRate) => jaxClassifier(cnnParameters(parameters), learningRate, cnnLogits),
  };
}

/** jax-js starts wasm worker threads only where SharedArrayBuffer and a web Worker both exist. */
function threads(): string {
  return typeof SharedArrayBuffer !== 'undefined' && typeof (globalThis as { Worker?: unknown }).Worker !== 'undefined' ? 'several' : '1';
}

/** A float32 array of this shape with the values of a seeded normal-ish stream (the values do not matter). */
function filled(shape: number[], seed: number, scale = 1): JaxArray {
  const size = shape.reduce((product, dimension) => product * dimension, 1);
  const values = new Float32Array(size);
  let state = seed >>> 0;
  for (let index = 0; index < size; index++) {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    values[index] = (state / 4294967296 - 0.5) * 2 * scale;
  }
  return np.array(values).reshape(shape);
}

function matmulRunner(size: number): Runner {
  const a = filled([size, size], 1);
  const b = filled([size, size], 2);
  return {
    async run() {
      await np.matmul(a.ref, b.ref).data();
    },
    dispose() {
      a.dispose();
      b.dispose();
    },
  };
}

/** Gradients of sum(conv2d(x, f)) with respect to both, as the other implementations; jax-js convolves NCHW/OIHW. */
function convRunner(inputShape: readonly number[], filterShape: readonly number[]): Runner {
  const [batch, height, width, channels] = inputShape;
  const [kernelHeight, kernelWidth, inChannels, outChannels] = filterShape;
  const input = filled([batch, channels, height, width], 3);
  const filter = filled([outChannels, inChannels, kernelHeight, kernelWidth], 4, 0.1);
  const gradients = jit(grad((x: JaxArray, f: JaxArray) => lax.conv(x, f, [1, 1], 'SAME').sum(), { argnums: [0, 1] }));
  return {
    async run() {
      const [inputGradient, filterGradient] = gradients(input.ref, filter.ref) as JaxArray[];
      await Promise.all([inputGradient.data(), filterGradient.data()]);
    },
    dispose() {
      input.dispose();
      filter.dispose();
      gradients.dispose();
    },
  };
}

/** Logits of flat images [batch, 784]; consumes its arguments. */
type Forward = (parameters: Parameters, images: JaxArray) => JaxArray;

function dense(input: JaxArray, weight: JaxArray, bias: JaxArray): JaxArray {
  return np.matmul(input, weight).add(bias);
}

const mlpLogits: Forward = ([w1, b1, w2, b2, w3, b3], images) => {
  const hidden1 = nn.relu(dense(images, w1, b1));
  const hidden2 = nn.relu(dense(hidden1, w2, b2));
  return dense(hidden2, w3, b3);
};

/** 2×2 max pooling, stride 2, of an NCHW map with even height and width. */
function maxPool2(input: JaxArray): JaxArray {
  const [batch, channels, height, width] = input.shape;
  return input.reshape([batch, channels, height / 2, 2, width / 2, 2]).max([3, 5]);
}

/** The CNN's filters arrive as OIHW (see cnnParameters); the dense weight reads the pooled map as (h, w, c), as elsewhere. */
const cnnLogits: Forward = ([conv1Filter, conv1Bias, conv2Filter, conv2Bias, denseWeight, denseBias], images) => {
  const batch = images.shape[0];
  const pixels = images.reshape([batch, 1, 28, 28]);
  const conv1 = maxPool2(nn.relu(lax.conv(pixels, conv1Filter, [1, 1], 'SAME').add(conv1Bias.reshape([1, -1, 1, 1]))));
  const conv2 = maxPool2(nn.relu(lax.conv(conv1, conv2Filter, [1, 1], 'SAME').add(conv2Bias.reshape([1, -1, 1, 1]))));
  return dense(np.transpose(conv2, [0, 2, 3, 1]).reshape([batch, 7 * 7 * 16]), denseWeight, denseBias);
};

/** The shared CNN parameters with the filters turned from HWIO (Dendrite, tfjs) to OIHW (jax-js' lax.conv). */
function cnnParameters(initial: readonly ParameterValues[]): ParameterValues[] {
  return initial.map((parameter) => {
    if (parameter.shape.length !== 4) return parameter;
    const [height, width, inChannels, outChannels] = parameter.shape;
    const values = new Float32Array(parameter.values.length);
    for (let h = 0; h < height; h++) for (let w = 0; w < width; w++) for (let i = 0; i < inChannels; i++) for (let o = 0; o < outChannels; o++) {
      values[((o * inChannels + i) * height + h) * width + w] = parameter.values[((h * width + w) * inChannels + i) * outChannels + o];
    }
    return { name: parameter.name, shape: [outChannels, inChannels, height, width], values };
  });
}

/** Mean softmax cross-entropy of integer labels; consumes its arguments. */
function crossEntropy(logits: JaxArray, labels: JaxArray): JaxArray {
  return nn.logSoftmax(logits, -1).mul(nn.oneHot(labels, 10)).sum(-1).mean().neg();
}

/**
 * A model trained by one jit-ed function per step: loss and gradients, then Adam (m̂ / (√v̂ + ε), as
 * PyTorch), returning the new parameters and moments, which replace the old (consumed) ones.
 */
function jaxClassifier(initial: readonly ParameterValues[], learningRate: number, forward: Forward): Classifier {
  let parameters: Parameters = initial.map((parameter) => np.array(parameter.values).reshape(parameter.shape));
  let firstMoments: Parameters = parameters.map((parameter) => np.zerosLike(parameter.ref));
  let secondMoments: Parameters = parameters.map((parameter) => np.zerosLike(parameter.ref));
  let step = 0;
  const loss = (current: Parameters, images: JaxArray, labels: JaxArray) => crossEntropy(forward(current, images), labels);
  const trainStep = jit((current: Parameters, m: Parameters, v: Parameters, stepNumber: JaxArray, images: JaxArray, labels: JaxArray) => {
    const [value, gradients] = valueAndGrad(loss)(current.map((parameter) => parameter.ref), images, labels) as [JaxArray, Parameters];
    const { beta1, beta2, epsilon } = ADAM;
    const correction1 = np.power(beta1, stepNumber.ref).neg().add(1);
    const correction2 = np.power(beta2, stepNumber).neg().add(1);
    const next: Parameters = [];
    const nextM: Parameters = [];
    const nextV: Parameters = [];
    current.forEach((parameter, index) => {
      const gradient = gradients[index];
      const mean = m[index].mul(beta1).add(gradient.ref.mul(1 - beta1));
      const variance = v[index].mul(beta2).add(gradient.ref.mul(gradient).mul(1 - beta2));
      const update = mean.ref.div(correction1.ref).div(np.sqrt(variance.ref.div(correction2.ref)).add(epsilon)).mul(learningRate);
      next.push(parameter.sub(update));
      nextM.push(mean);
      nextV.push(variance);
    });
    correction1.dispose();
    correction2.dispose();
    return [value, next, nextM, nextV] as [JaxArray, Parameters, Parameters, Parameters];
  });
  const predict = jit((current: Parameters, images: JaxArray) => forward(current, images));
  return {
    async trainStep(images, labels, batchSize) {
      step++;
      const x = np.array(images).reshape([batchSize, images.length / batchSize]);
      const y = np.array(labels, { dtype: np.int32 });
      const [value, next, nextM, nextV] = trainStep(parameters, firstMoments, secondMoments, np.array(step), x, y);
      parameters = next;
      firstMoments = nextM;
      secondMoments = nextV;
      return (await value.data())[0];
    },
    async predict(images, batchSize) {
      const logits = predict(parameters.map((parameter) => parameter.ref), np.array(images).reshape([batchSize, images.length / batchSize]));
      return Float32Array.from(await logits.data());
    },
    dispose() {
      for (const array of [...parameters, ...firstMoments, ...secondMoments]) array.dispose();
      trainStep.dispose();
      predict.dispose();
    },
  };
}
