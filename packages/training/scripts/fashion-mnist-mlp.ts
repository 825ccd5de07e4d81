// Proof on real data: a 784-128-64-10 MLP on Fashion-MNIST trained with Trainer.fit.
// Full run:  pnpm --filter @dendrite/training fashion-mnist            (README numbers)
//            pnpm --filter @dendrite/training fashion-mnist -- --epochs 3 --chart curve.svg
// CI runs a reduced version of the same function (src/fashion-mnist.test.ts).
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { linear, mul, randomNormal, ready, softmaxCrossEntropy, tensor, tidy, variable, type Tensor } from '@dendrite/core';
import { load } from '@dendrite/datasets/node';
import { Adam } from '@dendrite/optimizers';
import { Accuracy, LearningRateScheduler, Trainer, type Callback, type History, type TrainableModel } from '../src/index.js';
import { ProgressBar, saveHistoryChart } from '../src/node/index.js';

/** The data folder holding fashion-mnist/: DENDRITE_DATA, else the shared folder beside the checkout; null when neither has it. */
export function fashionMnistFolder(): string | null {
  const candidates = [process.env.DENDRITE_DATA, resolve(dirname(fileURLToPath(import.meta.url)), '../../../../shared/data')];
  return candidates.find((folder): folder is string => !!folder && existsSync(join(folder, 'fashion-mnist'))) ?? null;
}

/** A He-initialised MLP with ReLU hidden layers, hand-written from core ops (training never imports layers). */
export function createMlp(sizes: readonly number[], seed: number): TrainableModel<Tensor, Tensor> {
  const layers = sizes.slice(1).map((outputs, index) => ({
    weight: tidy(() => variable(mul(randomNormal([sizes[index], outputs], 0, 1, seed + index), Math.sqrt(2 / sizes[index])), `dense${index}.weight`)),
    bias: tidy(() => variable(tensor(new Float32Array(outputs)), `dense${index}.bias`)),
  }));
  return {
    apply: (input) => layers.reduce((hidden, { weight, bias }, index) => linear(hidden, weight, { bias, activation: index < layers.length - 1 ? 'relu' : 'linear' }), input),
    parameters: () => layers.flatMap(({ weight, bias }) => [weight, bias]),
    train: () => undefined,
  };
}

export interface FashionMnistRunOptions {
  folder: string;
  epochs: number;
  batchSize?: number;
  learningRate?: number;
  /** Train on the first N training images only (CI). */
  trainLimit?: number;
  seed?: number;
  callbacks?: Callback[];
}

/** Trains the MLP and returns its history, test accuracy and wall time. */
export async function trainFashionMnistMlp(options: FashionMnistRunOptions): Promise<{ history: History; testAccuracy: number; testLoss: number; seconds: number }> {
  await ready();
  const { train, test } = await load('fashion-mnist', { directory: options.folder });
  const trainCount = Math.min(train.labels.length, options.trainLimit ?? train.labels.length);
  const inputs = { data: train.images.subarray(0, trainCount * 784), shape: [trainCount, 784] };
  const targets = { data: train.labels.subarray(0, trainCount), shape: [trainCount] };
  const testData = { inputs: { data: test.images, shape: [test.labels.length, 784] }, targets: { data: test.labels, shape: [test.labels.length] } };
  const model = createMlp([784, 128, 64, 10], options.seed ?? 1);
  const learningRate = options.learningRate ?? 2e-3;
  const optimizer = new Adam(model.parameters(), { learningRate });
  const trainer = new Trainer(model, { optimizer, loss: softmaxCrossEntropy, metrics: [new Accuracy()] });
  // Cosine decay over the run, per epoch: large steps early, fine ones at the end.
  const schedule = new LearningRateScheduler((epoch) => learningRate * 0.5 * (1 + Math.cos((Math.PI * epoch) / options.epochs)));
  const start = performance.now();
  const history = await trainer.fit({ inputs, targets }, {
    epochs: options.epochs, batchSize: options.batchSize ?? 128, seed: options.seed ?? 1, logEvery: 50,
    validationData: testData, callbacks: [schedule, ...(options.callbacks ?? [])],
  });
  const seconds = (performance.now() - start) / 1000;
  const { loss: testLoss, accuracy: testAccuracy } = await trainer.evaluate(testData, { batchSize: 1000 });
  return { history, testAccuracy, testLoss, seconds };
}

async function main(): Promise<void> {
  const argument = (name: string) => { const index = process.argv.indexOf(`--${name}`); return index > 0 ? process.argv[index + 1] : undefined; };
  const folder = fashionMnistFolder();
  if (!folder) throw new Error('Fashion-MNIST not found: set DENDRITE_DATA to a folder holding fashion-mnist/');
  const epochs = Number(argument('epochs') ?? 20);
  const { history, testAccuracy, testLoss, seconds } = await trainFashionMnistMlp({ folder, epochs, callbacks: [new ProgressBar()] });
  console.log(`Fashion-MNIST MLP 784-128-64-10, ${epochs} epochs (Adam 2e-3, cosine decay, batch 128): test accuracy ${(testAccuracy * 100).toFixed(2)}%, test loss ${testLoss.toFixed(4)}, ${seconds.toFixed(1)} s`);
  const chart = argument('chart');
  if (chart) {
    await saveHistoryChart(chart, history, { title: `Fashion-MNIST MLP, test accuracy ${(testAccuracy * 100).toFixed(2)}%` });
    console.log(`chart written to ${chart}`);
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === resolve(process.argv[1])) await main();
