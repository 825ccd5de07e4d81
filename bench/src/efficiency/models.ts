// The two Fashion-MNIST models of the efficiency report, trained here with Adam, and the helpers that
// measure them: accuracy, saved size, throughput.

import { noGrad, softmaxCrossEntropy, tensor, tidy, variableGrads, type Tensor } from '@dendrite/core';
import { Conv2D, Dense, Flatten, MaxPool2D, Reshape, sequential, type Sequential } from '@dendrite/layers';
import { Adam } from '@dendrite/optimizers';
import { PIXELS_PER_IMAGE, type FashionMnist } from '../fashion-mnist.js';

/** The bench's MLP: 784-128-64-10. */
export function mlpModel(seed: number): Sequential {
  const model = sequential([new Dense({ units: 128, activation: 'relu' }), new Dense({ units: 64, activation: 'relu' }), new Dense({ units: 10 })], { name: 'mlp', seed });
  model.build([-1, PIXELS_PER_IMAGE]);
  return model;
}

/** The bench's CNN: two 5x5 conv + max-pool blocks (8 and 16 filters), then a dense layer. */
export function cnnModel(seed: number): Sequential {
  const model = sequential([
    new Reshape({ targetShape: [28, 28, 1] }),
    new Conv2D({ filters: 8, kernelSize: 5, padding: 'same', activation: 'relu' }), new MaxPool2D({ poolSize: 2 }),
    new Conv2D({ filters: 16, kernelSize: 5, padding: 'same', activation: 'relu' }), new MaxPool2D({ poolSize: 2 }),
    new Flatten(), new Dense({ units: 10 }),
  ], { name: 'cnn', seed });
  model.build([-1, PIXELS_PER_IMAGE]);
  return model;
}

export interface TrainOptions {
  epochs: number;
  batchSize: number;
  learningRate: number;
  /** Use only the first this many training images. */
  imageLimit: number;
  /** Called after every optimizer step (pruning keeps its zeros here). */
  afterStep?: () => Promise<void>;
}

/** Adam on softmax cross-entropy, batches in order (the data's own order is already mixed). */
export async function train(model: Sequential, data: FashionMnist, options: TrainOptions): Promise<void> {
  const parameters = model.parameters({ trainableOnly: true });
  const optimizer = new Adam(parameters, { learningRate: options.learningRate });
  const count = Math.min(options.imageLimit, data.trainLabels.length);
  model.train();
  try {
    for (let epoch = 0; epoch < options.epochs; epoch++) {
      for (let start = 0; start + options.batchSize <= count; start += options.batchSize) {
        tidy(() => {
          const x = tensor(data.trainImages.subarray(start * PIXELS_PER_IMAGE, (start + options.batchSize) * PIXELS_PER_IMAGE), [options.batchSize, PIXELS_PER_IMAGE]);
          const y = tensor(data.trainLabels.subarray(start, start + options.batchSize), [options.batchSize], 'int32');
          const { grads } = variableGrads(() => softmaxCrossEntropy(model.apply(x), y), parameters);
          optimizer.step(grads);
        });
        await options.afterStep?.();
      }
    }
  } finally {
    optimizer.dispose();
    model.eval();
  }
}

/** Logits of the first `limit` test images, in batches of 1000. */
export async function testLogits(model: Sequential, data: FashionMnist, limit: number): Promise<Float32Array> {
  const count = Math.min(limit, data.testLabels.length);
  const logits = new Float32Array(count * 10);
  model.eval();
  for (let start = 0; start < count; start += 1000) {
    const size = Math.min(1000, count - start);
    const batch = noGrad(() => tidy(() => model.apply(tensor(data.testImages.subarray(start * PIXELS_PER_IMAGE, (start + size) * PIXELS_PER_IMAGE), [size, PIXELS_PER_IMAGE]))));
    logits.set(await batch.data() as Float32Array, start * 10);
    batch.dispose();
  }
  return logits;
}

export function argmaxRows(logits: Float32Array, classes = 10): Int32Array {
  const result = new Int32Array(logits.length / classes);
  for (let row = 0; row < result.length; row++) {
    let best = 0;
    for (let c = 1; c < classes; c++) if (logits[row * classes + c] > logits[row * classes + best]) best = c;
    result[row] = best;
  }
  return result;
}

export function accuracy(logits: Float32Array, labels: Int32Array): number {
  const predicted = argmaxRows(logits);
  let correct = 0;
  for (let i = 0; i < predicted.length; i++) if (predicted[i] === labels[i]) correct++;
  return correct / predicted.length;
}

/**
 * Inference speed of each model at `batchSize` (the first test images), timed in alternation: each
 * of `runs` rounds (after 3 warm-up rounds) times one batch of every model in turn, so load from other
 * processes hits them alike; the median per model.
 */
export async function throughputs(
  models: readonly Sequential[], data: FashionMnist, batchSize: number, runs: number,
): Promise<Array<{ imagesPerSecond: number; microsecondsPerImage: number }>> {
  const x = tensor(data.testImages.subarray(0, batchSize * PIXELS_PER_IMAGE), [batchSize, PIXELS_PER_IMAGE]);
  const times = models.map((): number[] => []);
  try {
    for (let run = -3; run < runs; run++) {
      for (const [index, model] of models.entries()) {
        const start = performance.now();
        const y: Tensor = noGrad(() => tidy(() => model.apply(x)));
        await y.data();
        y.dispose();
        if (run >= 0) times[index].push(performance.now() - start);
      }
    }
  } finally {
    x.dispose();
  }
  return times.map((modelTimes) => {
    modelTimes.sort((a, b) => a - b);
    const median = modelTimes[Math.floor(modelTimes.length / 2)];
    return { imagesPerSecond: batchSize / (median / 1000), microsecondsPerImage: (median * 1000) / batchSize };
  });
}

/** Bytes of float32 activations one example produces through the model's layers (its working memory). */
export function activationBytesPerExample(model: Sequential): number {
  return model.layers.reduce((total, layer) => {
    const shape = layer.outputShape(layer.buildInputShape!) as number[];
    return total + 4 * shape.slice(1).reduce((product, dim) => product * dim, 1);
  }, 0);
}
