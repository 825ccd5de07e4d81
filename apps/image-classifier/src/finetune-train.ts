// The pieces fine-tuning and its from-scratch baseline share: picking classes and a seeded few-labels
// sample out of a split, a fixed budget of seeded mini-batch steps, and accuracy on a split.
import { DendriteError, argmax, noGrad, softmaxCrossEntropy, tensor, tidy, variableGrads, type Tensor } from '@dendrite/core';
import type { Layer } from '@dendrite/layers';
import type { Optimizer } from '@dendrite/optimizers';
import type { ImageSplit } from './data.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Model = Layer<any, any>;

/** mulberry32: a small seeded generator, so samples and batch orders repeat exactly from a seed. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let mixed = Math.imul(state ^ (state >>> 15), 1 | state);
    mixed = (mixed + Math.imul(mixed ^ (mixed >>> 7), 61 | mixed)) ^ mixed;
    return ((mixed ^ (mixed >>> 14)) >>> 0) / 4294967296;
  };
}

/** Fisher–Yates shuffle of `values` in place with `random` (e.g. {@link seededRandom}); returns `values`. */
export function shuffleInPlace<T extends number[] | Int32Array>(values: T, random: () => number): T {
  for (let index = values.length - 1; index > 0; index--) {
    const other = Math.floor(random() * (index + 1));
    [values[index], values[other]] = [values[other], values[index]];
  }
  return values;
}

/** A new split of the rows at `indices` (copied), labels mapped through `relabel`. */
function gather(split: ImageSplit, indices: readonly number[], relabel: (label: number) => number): ImageSplit {
  const pixels = split.height * split.width;
  const images = new Float32Array(indices.length * pixels);
  const labels = new Int32Array(indices.length);
  indices.forEach((index, row) => {
    images.set(split.images.subarray(index * pixels, (index + 1) * pixels), row * pixels);
    labels[row] = relabel(split.labels[index]);
  });
  return { images, labels, count: indices.length, height: split.height, width: split.width };
}

/**
 * The examples of `split` whose label is in `classes`, relabelled 0… in the order of `classes`; with
 * `perClass`, a seeded random `perClass` of each class (all of them where a class has fewer).
 *
 * @example
 * ```ts
 * const few = selectClasses(train, [5, 6, 7, 8, 9], { perClass: 10, seed: 1 }); // 50 images, labels 0–4
 * ```
 */
export function selectClasses(split: ImageSplit, classes: readonly number[], options: { perClass?: number; seed?: number } = {}): ImageSplit {
  if (classes.length < 2 || new Set(classes).size !== classes.length) {
    throw new DendriteError(`selectClasses: classes must be at least 2 distinct labels, got [${classes.join(', ')}]`);
  }
  const { perClass } = options;
  if (perClass !== undefined && (!Number.isInteger(perClass) || perClass < 1)) {
    throw new DendriteError(`selectClasses: perClass must be a positive integer, got ${perClass}`);
  }
  const byClass = classes.map(() => [] as number[]);
  const position = new Map(classes.map((label, index) => [label, index]));
  for (let index = 0; index < split.count; index++) {
    const slot = position.get(split.labels[index]);
    if (slot !== undefined) byClass[slot].push(index);
  }
  byClass.forEach((indices, slot) => {
    if (indices.length === 0) throw new DendriteError(`selectClasses: the data has no example of class ${classes[slot]}`);
  });
  const random = seededRandom(options.seed ?? 0);
  const chosen = perClass === undefined
    ? byClass.flat().sort((a, b) => a - b)
    : byClass.flatMap((indices) => shuffleInPlace(indices, random).slice(0, perClass)).sort((a, b) => a - b);
  return gather(split, chosen, (label) => position.get(label)!);
}

/** What {@link trainSteps} is asked to do. */
export interface StepOptions {
  steps: number;
  batchSize: number;
  seed: number;
  /** Called after each step with its loss (read back from the device). */
  onStep?: (step: number, loss: number) => void;
  /** Random shifts and mirror flips of each batch image (data augmentation; default none). */
  augment?: Augmentation;
}

/** Seeded data augmentation applied to each image of a training batch. */
export interface Augmentation {
  /** Each image moves by a random whole number of pixels in [-shift, shift] on each axis, zeros filling in. */
  shift: number;
  /** Each image is mirrored left-right with probability 1/2. */
  flip: boolean;
}

/**
 * Writes a randomly shifted and/or mirrored copy of the `height` × `width` image `source` into `target`
 * (same size), drawing from `random`: the augmentation of {@link StepOptions.augment}.
 *
 * @example
 * ```ts
 * augmentImage(image, out, 28, 28, { shift: 2, flip: true }, seededRandom(1));
 * ```
 */
export function augmentImage(source: Float32Array, target: Float32Array, height: number, width: number, augment: Augmentation, random: () => number): void {
  const rowShift = augment.shift > 0 ? Math.floor(random() * (2 * augment.shift + 1)) - augment.shift : 0;
  const columnShift = augment.shift > 0 ? Math.floor(random() * (2 * augment.shift + 1)) - augment.shift : 0;
  const flip = augment.flip && random() < 0.5;
  target.fill(0);
  for (let row = 0; row < height; row++) {
    const sourceRow = row - rowShift;
    if (sourceRow < 0 || sourceRow >= height) continue;
    for (let column = 0; column < width; column++) {
      const shifted = column - columnShift;
      if (shifted < 0 || shifted >= width) continue;
      target[row * width + column] = source[sourceRow * width + (flip ? width - 1 - shifted : shifted)];
    }
  }
}

/**
 * `steps` optimizer steps on seeded mini-batches of `data` (epoch after epoch of a fresh shuffle), minimizing
 * softmax cross-entropy of `model`'s logits; only the optimizer's parameters change. Returns the mean loss
 * of the last ten steps.
 *
 * @example
 * ```ts
 * await trainSteps(model, new Adam(model.parameters({ trainableOnly: true })), few, { steps: 200, batchSize: 32, seed: 1 });
 * ```
 */
export async function trainSteps(model: Model, optimizer: Optimizer, data: ImageSplit, options: StepOptions): Promise<number> {
  const random = seededRandom(options.seed);
  // Its own stream, so adding augmentation leaves the batch order of a seed unchanged.
  const augmentRandom = seededRandom(options.seed ^ 0x5bd1e995);
  const { augment } = options;
  if (augment !== undefined && (!Number.isInteger(augment.shift) || augment.shift < 0 || augment.shift >= Math.min(data.height, data.width))) {
    throw new DendriteError(`trainSteps: augment.shift must be an integer in [0, ${Math.min(data.height, data.width) - 1}], got ${augment.shift}`);
  }
  const parameters = [...optimizer.parameters];
  const pixels = data.height * data.width;
  let order: number[] = [];
  const recent: number[] = [];
  model.train();
  for (let step = 0; step < options.steps; step++) {
    if (order.length < options.batchSize) order = order.concat(shuffleInPlace(Array.from({ length: data.count }, (_, index) => index), random));
    const batch = order.splice(0, Math.min(options.batchSize, data.count));
    const images = new Float32Array(batch.length * pixels);
    batch.forEach((index, row) => {
      const image = data.images.subarray(index * pixels, (index + 1) * pixels);
      if (augment === undefined) images.set(image, row * pixels);
      else augmentImage(image, images.subarray(row * pixels, (row + 1) * pixels), data.height, data.width, augment, augmentRandom);
    });
    const loss = tidy(() => {
      const x = tensor(images, [batch.length, data.height, data.width, 1]);
      const y = tensor(Int32Array.from(batch, (index) => data.labels[index]), [batch.length], 'int32');
      const { value, grads } = variableGrads(() => softmaxCrossEntropy(model.apply(x) as Tensor, y), parameters);
      optimizer.step(grads);
      return value;
    });
    const lossValue = (await loss.data())[0];
    loss.dispose();
    recent.push(lossValue);
    if (recent.length > 10) recent.shift();
    options.onStep?.(step + 1, lossValue);
  }
  return recent.reduce((total, value) => total + value, 0) / Math.max(recent.length, 1);
}

/** The fraction of `data` whose argmax logit is its label (eval mode, in batches, no gradients). */
export async function accuracyOn(model: Model, data: ImageSplit, batchSize = 500): Promise<number> {
  const pixels = data.height * data.width;
  let correct = 0;
  model.eval();
  for (let start = 0; start < data.count; start += batchSize) {
    const count = Math.min(batchSize, data.count - start);
    // The argmax runs where the logits are; only one int32 per image is read back.
    const predicted = tidy(() => noGrad(() => argmax(model.apply(tensor(data.images.subarray(start * pixels, (start + count) * pixels), [count, data.height, data.width, 1])) as Tensor, 1)));
    const classes = await predicted.data() as Int32Array;
    predicted.dispose();
    for (let row = 0; row < count; row++) if (classes[row] === data.labels[start + row]) correct++;
  }
  model.train();
  return correct / data.count;
}
