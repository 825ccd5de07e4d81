// `classifier train`: fit the MLP or CNN recipe with @dendrite/training, save the model with
// @dendrite/layers/node and draw the training curve beside it.
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { getBackendInfo, ready, softmaxCrossEntropy } from '@dendrite/core';
import { saveModel } from '@dendrite/layers/node';
import { Adam, OneCycle } from '@dendrite/optimizers';
import { Accuracy, LearningRateScheduler, Trainer, type Callback, type History } from '@dendrite/training';
import { ModelCheckpoint, ProgressBar, saveHistoryChart } from '@dendrite/training/node';
import { loadImageData, subset, type ImageDataset, type ImageSplit } from './data.js';
import { seededRandom, shuffleInPlace } from './finetune-train.js';
import { MODEL_INFO_FILE, type ModelInfo, type ModelKind } from './model-info.js';
import { createModel } from './models.js';
import { writeJsonAtomically } from './saved-model.js';

/** Options of {@link trainClassifier}; every one has the recipe's default. */
export interface TrainOptions {
  /** A folder of MNIST-style IDX files; default Fashion-MNIST. */
  data?: string;
  model?: ModelKind;
  epochs?: number;
  batchSize?: number;
  /** The one-cycle schedule's peak learning rate (Adam). */
  learningRate?: number;
  /** Where the model, its metadata and the training curve go. */
  out?: string;
  seed?: number;
  /** Random horizontal flips of training images (default: on for the CNN). */
  augment?: boolean;
  /** Train on the first N training images only (quick runs, CI). */
  trainLimit?: number;
  /** Show the terminal progress bar (default true). */
  progress?: boolean;
  /** Extra callbacks (tests). */
  callbacks?: Callback[];
  /** Data already loaded (tests reuse it across runs). */
  dataset?: ImageDataset;
}

/** The recipes: epochs, batch size and peak learning rate per model kind. */
export const RECIPES: Record<ModelKind, { epochs: number; batchSize: number; learningRate: number; augment: boolean }> = {
  mlp: { epochs: 20, batchSize: 128, learningRate: 2e-3, augment: false },
  cnn: { epochs: 10, batchSize: 64, learningRate: 3e-3, augment: true },
};


/** Split arrays as the Trainer takes them: NHWC images and int32 labels. */
export function arrays(split: ImageSplit) {
  return {
    inputs: { data: split.images, shape: [split.count, split.height, split.width, 1] },
    targets: { data: split.labels, shape: [split.count] },
  };
}

/**
 * Training batches with random horizontal flips: every walk over it is one epoch, shuffled from
 * (seed, epoch). Clothes look the same mirrored, so flips add variety without changing the class.
 */
export function augmentedBatches(split: ImageSplit, batchSize: number, seed: number) {
  let epoch = 0;
  const pixels = split.height * split.width;
  return {
    async *[Symbol.asyncIterator]() {
      const random = seededRandom(seed * 1000003 + epoch++);
      const order = shuffleInPlace(Int32Array.from({ length: split.count }, (_, index) => index), random);
      for (let start = 0; start < split.count; start += batchSize) {
        const size = Math.min(batchSize, split.count - start);
        const images = new Float32Array(size * pixels);
        const labels = new Int32Array(size);
        for (let row = 0; row < size; row++) {
          const source = order[start + row];
          labels[row] = split.labels[source];
          const from = split.images.subarray(source * pixels, (source + 1) * pixels);
          const to = images.subarray(row * pixels, (row + 1) * pixels);
          if (random() < 0.5) {
            to.set(from);
          } else {
            for (let y = 0; y < split.height; y++) {
              for (let x = 0; x < split.width; x++) to[y * split.width + x] = from[y * split.width + split.width - 1 - x];
            }
          }
        }
        yield { inputs: { data: images, shape: [size, split.height, split.width, 1] }, targets: { data: labels, shape: [size] } };
      }
    },
  };
}

/** What {@link trainClassifier} returns. */
export interface TrainResult {
  history: History;
  info: ModelInfo;
  out?: string;
}

/**
 * Trains a recipe and (with `out`) saves `model.json` + `weights.safetensors` (layers' format),
 * `model-info.json`, `history.json`, `training-curve.svg` and `.png`, and per-epoch checkpoints.
 *
 * @example
 * ```ts
 * const { info } = await trainClassifier({ model: 'cnn', out: 'runs/cnn' });
 * console.log(info.training.testAccuracy); // e.g. 0.93
 * ```
 */
export async function trainClassifier(options: TrainOptions = {}): Promise<TrainResult> {
  await ready();
  const kind = options.model ?? 'cnn';
  const recipe = RECIPES[kind];
  const epochs = options.epochs ?? recipe.epochs;
  const batchSize = options.batchSize ?? recipe.batchSize;
  const learningRate = options.learningRate ?? recipe.learningRate;
  const augment = options.augment ?? recipe.augment;
  const seed = options.seed ?? 1;
  const dataset = options.dataset ?? await loadImageData(options.data);
  const train = options.trainLimit ? subset(dataset.train, options.trainLimit) : dataset.train;
  const shape = { height: train.height, width: train.width, classes: dataset.classNames.length };
  const model = createModel(kind, shape, seed);
  const optimizer = new Adam(model.parameters(), { learningRate });
  const trainer = new Trainer(model, { optimizer, loss: softmaxCrossEntropy, metrics: [new Accuracy()] });
  const stepsPerEpoch = Math.ceil(train.count / batchSize);
  // One cycle over the whole run, per step: a warm-up lets batch norm's statistics settle, the long
  // decay ends on small steps.
  const schedule = new OneCycle({ maximumLearningRate: learningRate, totalSteps: Math.max(2, epochs * stepsPerEpoch), divisionFactor: 10, finalDivisionFactor: 100 });
  const callbacks: Callback[] = [new LearningRateScheduler(schedule), ...(options.callbacks ?? [])];
  if (options.progress !== false) callbacks.push(new ProgressBar());
  if (options.out) {
    await mkdir(options.out, { recursive: true });
    callbacks.push(new ModelCheckpoint(join(options.out, 'checkpoints'), { keepLast: 1, monitor: 'val_accuracy' }));
  }
  const testData = arrays(dataset.test);
  const start = performance.now();
  const history = augment
    ? await trainer.fit(augmentedBatches(train, batchSize, seed), { epochs, seed, logEvery: 50, validationData: testData, callbacks })
    : await trainer.fit(arrays(train), { epochs, batchSize, seed, logEvery: 50, validationData: testData, callbacks });
  const seconds = (performance.now() - start) / 1000;
  const { loss: testLoss, accuracy: testAccuracy } = await trainer.evaluate(testData, { batchSize: 500 });
  const info: ModelInfo = {
    format: 'dendrite.image-classifier', version: 1, model: kind, classNames: dataset.classNames, height: shape.height, width: shape.width,
    training: {
      data: dataset.directory, trainImages: train.count, epochs: history.epochs.length, batchSize, learningRate, augment, seconds,
      backend: getBackendInfo().name, testAccuracy, testLoss,
    },
  };
  if (options.out) {
    await saveModel(model, options.out);
    await writeJsonAtomically(join(options.out, MODEL_INFO_FILE), info);
    await writeJsonAtomically(join(options.out, 'history.json'), history.toJSON());
    const title = `${kind.toUpperCase()} on ${train.count} images: test accuracy ${(testAccuracy * 100).toFixed(2)}%`;
    await saveHistoryChart(join(options.out, 'training-curve.svg'), history, { title });
    await saveHistoryChart(join(options.out, 'training-curve.png'), history, { title });
  }
  model.dispose();
  optimizer.dispose?.();
  return { history, info, out: options.out };
}
