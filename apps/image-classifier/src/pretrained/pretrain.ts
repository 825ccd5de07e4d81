// Pre-training the shipped model: the transfer CNN on Fashion-MNIST's classes 0–4, seeded, saved in
// @dendrite/layers' format with float16 weights, and its test accuracy measured on the saved (rounded) weights.
import { join } from 'node:path';
import { loadModel, saveModel } from '@dendrite/layers/node';
import { Adam } from '@dendrite/optimizers';
import type { ImageDataset } from '../data.js';
import { accuracyOn, selectClasses, trainSteps, type Augmentation } from '../finetune-train.js';
import { writeJsonAtomically } from '../saved-model.js';
import { PRETRAIN_CLASSES, createTransferCnn } from './recipe.js';

/** The recipe (the defaults are what produced the committed model). */
export interface PretrainOptions {
  epochs: number;
  batchSize: number;
  learningRate: number;
  seed: number;
  /** Random shifts and flips of the training images (none: undefined). */
  augment?: Augmentation;
  /** The Fashion-MNIST classes to learn (default {@link PRETRAIN_CLASSES}, the shipped model's). */
  classes?: readonly number[];
}

export const PRETRAIN_RECIPE: PretrainOptions = { epochs: 6, batchSize: 64, learningRate: 1e-3, seed: 1, augment: { shift: 2, flip: true } };

/** What `pretrain` measured; written as `recipe.json` beside the model. */
export interface PretrainReport extends PretrainOptions {
  classes: readonly number[];
  trainImages: number;
  steps: number;
  finalLoss: number;
  /** On the test images of `classes` (5,000 for five), with the saved float16 weights. */
  testAccuracy: number;
  parameters: number;
  weightBytes: number;
  seconds: number;
}

/**
 * Trains the transfer CNN on the classes `options.classes` (default {@link PRETRAIN_CLASSES}) of `data`, saves it to `directory`
 * (model.json, float16 weights.safetensors, recipe.json) and returns what it measured.
 *
 * @example
 * ```ts
 * const report = await pretrain(await loadImageData(), 'src/pretrained/fashion5-cnn', { ...PRETRAIN_RECIPE, epochs: 1 });
 * ```
 */
export async function pretrain(
  data: ImageDataset, directory: string, options: PretrainOptions = PRETRAIN_RECIPE, onStep?: (step: number, steps: number, loss: number) => void,
): Promise<PretrainReport> {
  const start = performance.now();
  const classes = options.classes ?? PRETRAIN_CLASSES;
  const train = selectClasses(data.train, classes);
  const test = selectClasses(data.test, classes);
  const model = createTransferCnn(classes.length, options.seed, train.height, train.width);
  const optimizer = new Adam(model.parameters(), { learningRate: options.learningRate });
  const steps = options.epochs * Math.ceil(train.count / options.batchSize);
  const finalLoss = await trainSteps(model, optimizer, train, {
    steps, batchSize: options.batchSize, seed: options.seed, augment: options.augment, onStep: (step, loss) => onStep?.(step, steps, loss),
  });
  optimizer.dispose();
  await saveModel(model, directory, { dtype: 'float16' });
  const saved = await loadModel(directory);
  const report: PretrainReport = {
    ...options,
    classes,
    trainImages: train.count,
    steps,
    finalLoss,
    testAccuracy: await accuracyOn(saved, test),
    parameters: model.parameters().reduce((total, parameter) => total + parameter.size, 0),
    weightBytes: (await import('node:fs')).statSync(join(directory, 'weights.safetensors')).size,
    seconds: (performance.now() - start) / 1000,
  };
  await writeJsonAtomically(join(directory, 'recipe.json'), report);
  return report;
}
