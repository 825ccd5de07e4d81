import {
  conv2d, conv2dMaxPool, getBackendInfo, grad, linear, matmul, noGrad, randomNormal, ready, reshape,
  softmaxCrossEntropy, sum, tensor, tidy, variable, variableGrads, type Tensor,
} from '@dendrite/core';
import { Conv2D, Dense, Flatten, MaxPool2D, Reshape, quantizeModel, sequential, type Sequential } from '@dendrite/layers';
import { Adam } from '@dendrite/optimizers';
import { Accuracy, Trainer } from '@dendrite/training';
import type { FashionMnist } from '../fashion-mnist.js';
import type { Classifier, FitEpochResult, FitOptions, Implementation, ParameterValues, Runner } from '../implementation.js';

/**
 * Dendrite's CPU backend, with its WebAssembly SIMD kernels when `ready()` installs them.
 * `dendrite-cpu-relaxed` must get the relaxed-SIMD kernel build (main.ts starts its process with
 * DENDRITE_WASM_SIMD=relaxed-simd): it refuses to measure anything else.
 */
export async function createDendriteImplementation(name: 'dendrite-cpu' | 'dendrite-cpu-relaxed' = 'dendrite-cpu'): Promise<Implementation> {
  await ready();
  const info = getBackendInfo();
  if (name === 'dendrite-cpu-relaxed' && info.instructionSet !== 'relaxed-simd') {
    throw new Error(`dendrite-cpu-relaxed: the relaxed-SIMD kernels did not load (${describeBackend()})`);
  }
  return {
    name,
    describe: describeBackend,
    matmul: matmulRunner,
    conv2dForwardBackward: convRunner,
    mlp: (parameters, learningRate) => classifier(parameters, learningRate, mlpLogits),
    mlpFit: (parameters, learningRate, data, options) => layersFit(mlpModel(), parameters, learningRate, data, options),
    cnnFit: (parameters, learningRate, data, options) => layersFit(cnnModel(), parameters, learningRate, data, options),
    cnn: (parameters, learningRate) => classifier(parameters, learningRate, cnnLogits),
    layersMlp: (parameters, learningRate) => layersClassifier(mlpModel(), [-1, 784], parameters, learningRate),
    layersCnn: (parameters, learningRate) => layersClassifier(cnnModel(), [-1, 784], parameters, learningRate),
    int8Mlp: (parameters) => int8Classifier(mlpModel(), parameters),
    int8Cnn: (parameters) => int8Classifier(cnnModel(), parameters),
  };
}

/** A layers model (the MLP or the CNN) with the shared weights, quantized to int8 by quantizeModel (the float copy is freed). */
async function int8Classifier(float: Sequential, initial: readonly ParameterValues[]): Promise<Pick<Classifier, 'predict' | 'dispose'>> {
  float.build([-1, 784]);
  const names = float.namedParameters().map(([name]) => name);
  tidy(() => float.loadStateDict(Object.fromEntries(initial.map((parameter, i) => [names[i], tensor(parameter.values, parameter.shape, 'float32')]))));
  const model = await quantizeModel(float);
  float.dispose();
  model.eval();
  return {
    async predict(images, batchSize) {
      const logits = noGrad(() => tidy(() => model.apply(tensor(images, [batchSize, images.length / batchSize], 'float32'))));
      const values = (await logits.data()) as Float32Array;
      logits.dispose();
      return values;
    },
    dispose: () => model.dispose(),
  };
}

function describeBackend(): string {
  const info = getBackendInfo();
  const notes = info.notes && info.notes.length > 0 ? ` (${info.notes.join('; ')})` : '';
  const build = typeof info.instructionSet === 'string' ? ` (${info.instructionSet} build)` : '';
  return `@dendrite/core backend ${info.name}, ${info.implementation}${build} kernels, ${info.threads ?? 1} thread(s)${notes}`;
}

function matmulRunner(size: number): Runner {
  const a = randomNormal([size, size], 0, 1, 1);
  const b = randomNormal([size, size], 0, 1, 2);
  return {
    async run() {
      const product = matmul(a, b);
      await product.data();
      product.dispose();
    },
    dispose() {
      a.dispose();
      b.dispose();
    },
  };
}

function convRunner(inputShape: readonly number[], filterShape: readonly number[]): Runner {
  const input = randomNormal(inputShape, 0, 1, 3);
  const filter = randomNormal(filterShape, 0, 0.1, 4);
  const gradients = grad((x: Tensor, f: Tensor) => sum(conv2d(x, f, { padding: 'same' })));
  return {
    async run() {
      const [inputGradient, filterGradient] = gradients(input, filter);
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

/** Logits of a batch of flat images, given the variables in the order their ParameterValues came. */
type Forward = (images: Tensor, batchSize: number, parameters: readonly Tensor[]) => Tensor;

const mlpLogits: Forward = (images, _batchSize, [w1, b1, w2, b2, w3, b3]) => {
  const hidden1 = linear(images, w1, { bias: b1, activation: 'relu' });
  const hidden2 = linear(hidden1, w2, { bias: b2, activation: 'relu' });
  return linear(hidden2, w3, { bias: b3 });
};

const cnnLogits: Forward = (images, batchSize, [conv1Filter, conv1Bias, conv2Filter, conv2Bias, denseWeight, denseBias]) => {
  const pixels = reshape(images, [batchSize, 28, 28, 1]);
  // Each layer is one op: conv + bias + relu + 2x2 max pool (one kernel pools each tile as it computes it,
  // never writing the full-resolution activation), the same values as maxPool2d(conv2d(...), 2).
  const conv1 = conv2dMaxPool(pixels, conv1Filter, { padding: 'same', bias: conv1Bias, activation: 'relu' });
  const conv2 = conv2dMaxPool(conv1, conv2Filter, { padding: 'same', bias: conv2Bias, activation: 'relu' });
  return linear(reshape(conv2, [batchSize, 7 * 7 * 16]), denseWeight, { bias: denseBias });
};

/** The MLP above, from @dendrite/layers: the same fused linear ops, through Layer.apply. */
function mlpModel(): Sequential {
  return sequential([
    new Dense({ units: 128, activation: 'relu' }), new Dense({ units: 64, activation: 'relu' }), new Dense({ units: 10 }),
  ]);
}

/** The CNN above, from @dendrite/layers. */
function cnnModel(): Sequential {
  return sequential([
    new Reshape({ targetShape: [28, 28, 1] }),
    new Conv2D({ filters: 8, kernelSize: 5, padding: 'same', activation: 'relu' }), new MaxPool2D({ poolSize: 2 }),
    new Conv2D({ filters: 16, kernelSize: 5, padding: 'same', activation: 'relu' }), new MaxPool2D({ poolSize: 2 }),
    new Flatten(), new Dense({ units: 10 }),
  ]);
}

/** A layers model, built and loaded with the shared initial values (parameters() lists them in the same order). */
function layersClassifier(model: Sequential, inputShape: number[], initial: readonly ParameterValues[], learningRate: number): Classifier {
  model.build(inputShape);
  const names = model.namedParameters().map(([name]) => name);
  tidy(() => model.loadStateDict(Object.fromEntries(initial.map((parameter, i) => [names[i], tensor(parameter.values, parameter.shape, 'float32')]))));
  return trainer(model.parameters(), learningRate, (images) => model.apply(images), () => model.dispose());
}

function classifier(initial: readonly ParameterValues[], learningRate: number, forward: Forward): Classifier {
  // tidy frees the source tensors; the variables (kept) hold the values.
  const parameters = tidy(() => initial.map((parameter) => variable(tensor(parameter.values, parameter.shape, 'float32'), parameter.name)));
  return trainer(parameters, learningRate, (images, batchSize) => forward(images, batchSize, parameters), () => {
    for (const parameter of parameters) parameter.dispose();
  });
}

/** Training steps with Adam and predictions, for any forward function over these parameters. */
function trainer(parameters: Tensor[], learningRate: number, forward: (images: Tensor, batchSize: number) => Tensor, release: () => void): Classifier {
  const optimizer = new Adam(parameters, { learningRate });
  return {
    async trainStep(images, labels, batchSize) {
      const loss = tidy(() => {
        const x = tensor(images, [batchSize, images.length / batchSize], 'float32');
        const y = tensor(labels, [batchSize], 'int32');
        const { value, grads } = variableGrads(() => softmaxCrossEntropy(forward(x, batchSize), y), parameters);
        optimizer.step(grads);
        return value;
      });
      const [lossValue] = await loss.data();
      loss.dispose();
      return lossValue;
    },
    async predict(images, batchSize) {
      const logits = noGrad(() => tidy(() => forward(tensor(images, [batchSize, images.length / batchSize], 'float32'), batchSize)));
      const values = (await logits.data()) as Float32Array;
      logits.dispose();
      return values;
    },
    dispose() {
      optimizer.dispose();
      release();
    },
  };
}

/**
 * One epoch of a layers model (the MLP or the CNN from @dendrite/layers, loaded with the shared initial
 * values) through @dendrite/training's Trainer.fit (shuffled, loss and accuracy kept on the device and read
 * every 10 batches), timed from the call to fit to its end; the data is made a tensor before the clock
 * starts, as the raw-ops epoch's arrays are ready before its clock starts.
 */
async function layersFit(model: Sequential, initial: readonly ParameterValues[], learningRate: number, data: FashionMnist, options: FitOptions): Promise<FitEpochResult> {
  model.build([-1, 784]);
  const names = model.namedParameters().map(([name]) => name);
  tidy(() => model.loadStateDict(Object.fromEntries(initial.map((parameter, i) => [names[i], tensor(parameter.values, parameter.shape, 'float32')]))));
  const optimizer = new Adam(model.parameters(), { learningRate });
  const trainer = new Trainer(model, { optimizer, loss: softmaxCrossEntropy, metrics: [new Accuracy()] });
  const trainCount = data.trainLabels.length;
  const inputs = tensor(data.trainImages, [trainCount, data.trainImages.length / trainCount], 'float32');
  const targets = tensor(data.trainLabels, [trainCount], 'int32');
  const batchesPerEpoch = Math.ceil(trainCount / options.batchSize);
  try {
    const start = performance.now();
    const history = await trainer.fit({ inputs, targets }, { epochs: 1, batchSize: options.batchSize, seed: options.seed, stepsPerEpoch: options.batchLimit });
    const seconds = (performance.now() - start) / 1000;
    const testCount = data.testLabels.length;
    const test = { inputs: { data: data.testImages, shape: [testCount, data.testImages.length / testCount] }, targets: { data: data.testLabels, shape: [testCount] } };
    const { accuracy } = await trainer.evaluate(test, { batchSize: 1000 });
    return { seconds, meanLoss: history.values.loss[0], batchesRun: Math.min(batchesPerEpoch, options.batchLimit ?? batchesPerEpoch), batchesPerEpoch, testAccuracy: accuracy };
  } finally {
    inputs.dispose();
    targets.dispose();
    optimizer.dispose();
    model.dispose();
  }
}
