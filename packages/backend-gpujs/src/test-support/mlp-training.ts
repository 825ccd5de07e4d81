/**
 * An MLP trained with ordinary Dendrite ops (linear, softmaxCrossEntropy, variableGrads, Adam),
 * whatever backend is active. Shared by the engine tests, the Chromium page and the benchmark, so
 * the GPU and CPU runs are the same code with the same seeds. Browser-safe: core and optimizers only.
 */
import {
  argmax, linear, mul, noGrad, randomNormal, RandomGenerator, softmaxCrossEntropy, tensor, tidy, variable, variableGrads,
  type Tensor,
} from '@dendrite/core';
import { Adam } from '@dendrite/optimizers';

/** Images flattened to [count, features] (values in [0, 1]) with int32 class labels. */
export interface ImageSplit {
  images: Float32Array;
  labels: Int32Array;
  count: number;
  features: number;
}

/** A multilayer perceptron: ReLU hidden layers, linear output (logits). */
export interface Mlp {
  parameters: Tensor[];
  forward(x: Tensor): Tensor;
  dispose(): void;
}

/** He-initialised MLP with layer sizes like [784, 128, 64, 10]; weights drawn on the host from `seed`. */
export function createMlp(sizes: readonly number[], seed: number): Mlp {
  const layers = sizes.slice(1).map((outputs, index) => {
    const inputs = sizes[index];
    // In tidy: the initial tensors are freed once the variables (views that outlive tidy) hold them.
    const weight = tidy(() => noGrad(() => variable(mul(randomNormal([inputs, outputs], 0, 1, seed + index), Math.sqrt(2 / inputs)), `dense${index}.weight`)));
    const bias = tidy(() => variable(tensor(new Float32Array(outputs)), `dense${index}.bias`));
    return { weight, bias };
  });
  return {
    parameters: layers.flatMap(({ weight, bias }) => [weight, bias]),
    forward(x) {
      let hidden = x;
      layers.forEach(({ weight, bias }, index) => {
        hidden = linear(hidden, weight, { bias, activation: index < layers.length - 1 ? 'relu' : 'linear' });
      });
      return hidden;
    },
    dispose() {
      for (const { weight, bias } of layers) {
        weight.dispose();
        bias.dispose();
      }
    },
  };
}

/**
 * One training step: forward, gradients, Adam update. Returns the loss (the only tensor that
 * survives); nothing is read back.
 */
export function trainStep(model: Mlp, optimizer: Adam, images: Tensor, labels: Tensor): Tensor {
  return tidy(() => {
    const { value, grads } = variableGrads(() => softmaxCrossEntropy(model.forward(images), labels), model.parameters);
    optimizer.step(grads);
    return value;
  });
}

/** Rows `rows` of `data` as an image tensor and a label tensor. */
export function batchTensors(data: ImageSplit, rows: ArrayLike<number>): [Tensor, Tensor] {
  const images = new Float32Array(rows.length * data.features);
  const labels = new Int32Array(rows.length);
  for (let row = 0; row < rows.length; row++) {
    const source = rows[row];
    images.set(data.images.subarray(source * data.features, (source + 1) * data.features), row * data.features);
    labels[row] = data.labels[source];
  }
  return [tensor(images, [rows.length, data.features]), tensor(labels, [rows.length], 'int32')];
}

/** Options of {@link trainEpoch} and {@link trainAndEvaluate}. */
export interface TrainingOptions {
  batchSize: number;
  /** Seeds the shuffle of each epoch (epoch e uses seed + e). */
  seed: number;
}

/**
 * One epoch over a seeded shuffle of `data`. Reads back only the last batch's loss, so the device
 * runs the whole epoch without waiting on the host.
 */
export async function trainEpoch(model: Mlp, optimizer: Adam, data: ImageSplit, options: TrainingOptions): Promise<number> {
  const order = shuffledIndices(data.count, options.seed);
  let lastLoss: Tensor | null = null;
  for (let start = 0; start < data.count; start += options.batchSize) {
    const rows = order.subarray(start, Math.min(data.count, start + options.batchSize));
    lastLoss?.dispose();
    lastLoss = tidy(() => {
      const [images, labels] = batchTensors(data, rows);
      return trainStep(model, optimizer, images, labels);
    });
  }
  const loss = lastLoss ? (await lastLoss.data())[0] : Number.NaN;
  lastLoss?.dispose();
  return loss;
}

/** Share of `data` the model classifies correctly, predicting `batchSize` rows at a time. */
export async function evaluateAccuracy(model: Mlp, data: ImageSplit, batchSize = 1000): Promise<number> {
  let correct = 0;
  for (let start = 0; start < data.count; start += batchSize) {
    const rows = Int32Array.from({ length: Math.min(batchSize, data.count - start) }, (_, index) => start + index);
    const predicted = tidy(() => noGrad(() => {
      const [images] = batchTensors(data, rows);
      return argmax(model.forward(images), 1);
    }));
    const classes = await predicted.data();
    predicted.dispose();
    for (let index = 0; index < classes.length; index++) if (classes[index] === data.labels[start + index]) correct++;
  }
  return correct / data.count;
}

/** What {@link trainAndEvaluate} measured. */
export interface TrainingReport {
  /** Loss of the last batch of each epoch. */
  epochLosses: number[];
  /** Seconds each epoch took, its final loss read included (the first also compiles the kernels). */
  epochSeconds: number[];
  testAccuracy: number;
  trainSeconds: number;
}

/** Train a fresh MLP of `sizes` for `epochs` epochs on `train` and measure its accuracy on `test`. */
export async function trainAndEvaluate(
  sizes: readonly number[], train: ImageSplit, test: ImageSplit, options: TrainingOptions & { epochs: number; learningRate: number },
): Promise<TrainingReport> {
  const model = createMlp(sizes, options.seed);
  const optimizer = new Adam(model.parameters, { learningRate: options.learningRate });
  const epochLosses: number[] = [];
  const epochSeconds: number[] = [];
  const start = performance.now();
  for (let epoch = 0; epoch < options.epochs; epoch++) {
    const epochStart = performance.now();
    epochLosses.push(await trainEpoch(model, optimizer, train, { ...options, seed: options.seed + epoch }));
    epochSeconds.push((performance.now() - epochStart) / 1000);
  }
  const trainSeconds = (performance.now() - start) / 1000;
  const testAccuracy = await evaluateAccuracy(model, test);
  optimizer.dispose();
  model.dispose();
  return { epochLosses, epochSeconds, testAccuracy, trainSeconds };
}

/**
 * A reproducible permutation of 0..count-1: Fisher–Yates over core's one seeded generator (the same
 * order as `new SeededRandom(seed).permutation(count)` in @dendrite/datasets).
 */
export function shuffledIndices(count: number, seed: number): Int32Array {
  const random = new RandomGenerator(seed);
  const order = Int32Array.from({ length: count }, (_, index) => index);
  for (let index = count - 1; index > 0; index--) {
    const swap = random.nextInt(index + 1);
    [order[index], order[swap]] = [order[swap], order[index]];
  }
  return order;
}
