import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
// Registering a backend is a side effect of importing its package: the idiomatic tfjs setup.
import '@tensorflow/tfjs-backend-cpu';
import { getThreadsCount, setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import type { Classifier, Implementation, ParameterValues, Runner, Unsupported } from '../implementation.js';
import { tfjsMlpFit } from './tfjs-fit.js';
import { registerTfjsGradients } from './tfjs-gradients.js';

export type TfjsBackendName = 'cpu' | 'wasm';

/** TensorFlow.js 4.22 on its plain-JS CPU backend or its WebAssembly backend. */
export async function createTfjsImplementation(backend: TfjsBackendName): Promise<Implementation> {
  // PROD silences tfjs' "install tfjs-node" banner; it changes no kernel.
  tf.env().set('PROD', true);
  await registerTfjsGradients();
  if (backend === 'wasm') {
    // In Node the .wasm binaries are read from the package's dist folder.
    const require = createRequire(import.meta.url);
    setWasmPaths(join(dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist') + '/');
  }
  if (!(await tf.setBackend(backend))) throw new Error(`tfjs: backend '${backend}' failed to initialise`);
  await tf.ready();
  const describe = await describeBackend(backend);
  return {
    name: backend === 'cpu' ? 'tfjs-cpu' : 'tfjs-wasm',
    describe: () => describe,
    matmul: matmulRunner,
    conv2dForwardBackward: (inputShape, filterShape) => convRunner(backend, inputShape, filterShape),
    mlp: (parameters, learningRate) => mlpClassifier(parameters, learningRate),
    mlpFit: tfjsMlpFit,
    cnn: () => ({ unsupported: 'not run (see the cnn epoch notes)' }),
  };
}

async function describeBackend(backend: TfjsBackendName): Promise<string> {
  const base = `@tensorflow/tfjs-core ${tf.version_core}, backend ${tf.getBackend()}`;
  if (backend === 'cpu') return `${base} (plain JavaScript kernels, 1 thread)`;
  const simd = await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT');
  return `${base} (${simd ? 'SIMD' : 'no SIMD'}, ${getThreadsCount()} thread(s))`;
}

function matmulRunner(size: number): Runner {
  const a = tf.randomNormal([size, size], 0, 1, 'float32', 1);
  const b = tf.randomNormal([size, size], 0, 1, 'float32', 2);
  return {
    async run() {
      const product = tf.matMul(a, b);
      await product.data();
      product.dispose();
    },
    dispose() {
      a.dispose();
      b.dispose();
    },
  };
}

function convRunner(backend: TfjsBackendName, inputShape: readonly number[], filterShape: readonly number[]): Runner | Unsupported {
  if (!tf.getKernel('Conv2DBackpropFilter', backend)) {
    return { unsupported: `tfjs-backend-${backend} has no Conv2DBackpropFilter kernel, so conv2d cannot be differentiated with respect to its filter` };
  }
  const input = tf.randomNormal<tf.Rank.R4>(inputShape as [number, number, number, number], 0, 1, 'float32', 3);
  const filter = tf.randomNormal<tf.Rank.R4>(filterShape as [number, number, number, number], 0, 0.1, 'float32', 4);
  const gradients = tf.grads((x: tf.Tensor, f: tf.Tensor) => tf.sum(tf.conv2d(x as tf.Tensor4D, f as tf.Tensor4D, 1, 'same')));
  return {
    async run() {
      const [inputGradient, filterGradient] = gradients([input, filter]);
      await Promise.all([inputGradient.data(), filterGradient.data()]);
      inputGradient.dispose();
      filterGradient.dispose();
    },
    dispose() {
      input.dispose();
      filter.dispose();
    },
  };
}

function mlpClassifier(initial: readonly ParameterValues[], learningRate: number): Classifier {
  const parameters = initial.map((parameter) => tf.variable(tf.tensor(parameter.values, parameter.shape, 'float32'), true, parameter.name));
  const [w1, b1, w2, b2, w3, b3] = parameters;
  // Same hyper-parameters as Dendrite's Adam (tfjs would otherwise use epsilon 1e-7).
  const optimizer = tf.train.adam(learningRate, 0.9, 0.999, 1e-8);
  // tf.fused.matMul is what tfjs-layers' Dense runs: matmul + bias + activation in one kernel.
  const logitsOf = (images: tf.Tensor2D): tf.Tensor2D => {
    const hidden1 = tf.fused.matMul({ a: images, b: w1 as tf.Tensor2D, bias: b1, activation: 'relu' }) as tf.Tensor2D;
    const hidden2 = tf.fused.matMul({ a: hidden1, b: w2 as tf.Tensor2D, bias: b2, activation: 'relu' }) as tf.Tensor2D;
    return tf.fused.matMul({ a: hidden2, b: w3 as tf.Tensor2D, bias: b3 }) as tf.Tensor2D;
  };
  return {
    async trainStep(images, labels, batchSize) {
      const loss = tf.tidy(() => {
        const x = tf.tensor2d(images, [batchSize, images.length / batchSize], 'float32');
        const y = tf.oneHot(tf.tensor1d(labels, 'int32'), 10);
        return optimizer.minimize(() => tf.losses.softmaxCrossEntropy(y, logitsOf(x)) as tf.Scalar, true, parameters)!;
      });
      const [lossValue] = await loss.data();
      loss.dispose();
      return lossValue;
    },
    async predict(images, batchSize) {
      const logits = tf.tidy(() => logitsOf(tf.tensor2d(images, [batchSize, images.length / batchSize], 'float32')));
      const values = (await logits.data()) as Float32Array;
      logits.dispose();
      return values;
    },
    dispose() {
      optimizer.dispose();
      for (const parameter of parameters) parameter.dispose();
    },
  };
}
