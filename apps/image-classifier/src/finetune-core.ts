// Fine-tuning a pre-trained model for new classes, and the from-scratch baseline it is compared with.
import { DendriteError, noGrad, tensor, tidy, type Tensor } from '@dendrite/core';
import { Concatenate, CosineDense, Dense, Flatten, addHead, cutModel, freeze, input, model as functionalModel, unfreeze, type FunctionalModel, type Layer, type Sequential } from '@dendrite/layers';
import { Adam } from '@dendrite/optimizers';
import type { ImageSplit } from './data.js';
import { accuracyOn, trainSteps } from './finetune-train.js';
import { FEATURE_LAYER, createTransferCnn } from './pretrained/recipe.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Model = Layer<any, any>;

/** The training budget both fine-tuning and the scratch baseline get (scratch: headSteps + tuneSteps). */
export interface Budget {
  /** Steps training the new head on the frozen base. */
  headSteps: number;
  /** Steps after unfreezing the layers above `freezeUntil` (0: head only). */
  tuneSteps: number;
  batchSize: number;
  /** Adam's rate for the head. */
  learningRate: number;
  /** Adam's rate for the unfrozen top of the base: lower, so the pre-trained features move little. */
  tuneLearningRate: number;
  /** Adam's rate for every layer of the from-scratch baseline (chosen the way the fine-tuning rates were: see the README). */
  scratchLearningRate: number;
  seed: number;
}

/** The defaults of `pnpm classifier finetune` and of the README's table. */
export const DEFAULT_BUDGET: Budget = { headSteps: 150, tuneSteps: 150, batchSize: 32, learningRate: 3e-3, tuneLearningRate: 3e-4, scratchLearningRate: 3e-3, seed: 1 };

/**
 * The new head: `dense` (x · W + b, the default) or `cosine` (`CosineDense`: scale × the cosine between the
 * features and each class's weight vector, the "Baseline++" head of Chen et al., 2019).
 */
export type HeadKind = 'dense' | 'cosine';
/** The head kinds, for flags and checks. */
export const HEAD_KINDS: readonly HeadKind[] = ['dense', 'cosine'];
/** The cosine head's logit scale (its logits lie in [-scale, scale]). */
export const COSINE_SCALE = 10;

/** A fine-tuned or from-scratch network: the trunk plus a head, as a Sequential, or a functional model with `multiScale`. */
export type TransferModel = Sequential | FunctionalModel;

/** How the new head is made: its kind, whether its initial weights are imprinted, and which features it reads. */
export interface HeadOptions {
  /** Default `dense`. */
  head?: HeadKind;
  /**
   * Cosine head only: start each class's weight vector at the normalized mean of that class's normalized
   * features (weight imprinting, Qi et al., 2018) instead of random, so the head starts as a nearest-class-mean
   * classifier and training refines it.
   */
  imprint?: boolean;
  /**
   * The head reads the features of both pooling layers of the transfer CNN, pool1's (14×14×16, 3,136 values) and
   * pool2's (7×7×32, 1,568), flattened and joined (multi-scale features), instead of pool2's alone; default false.
   */
  multiScale?: boolean;
}

/** What {@link finetune} needs besides the budget. */
export interface FinetuneOptions extends Partial<Budget>, HeadOptions {
  /** The new task's labelled examples, labels 0 … classes - 1. */
  train: ImageSplit;
  classes: number;
  /** Where the pre-trained model is cut (default `features`). */
  featureLayer?: string;
  /** Layers up to and including this one stay frozen after the head phase; the rest of the base trains at `tuneLearningRate`. */
  freezeUntil?: string;
  onStep?: (phase: 'head' | 'tune', step: number, loss: number) => void;
  /** Called with the model after the head phase, before anything is unfrozen (e.g. to measure it). */
  afterHead?: (model: TransferModel) => Promise<void>;
}

/** A fine-tuned model and what happened. */
export interface FinetuneResult {
  model: TransferModel;
  /** The base's layers that trained in the second phase (empty when it did not run). */
  unfrozen: string[];
  headLoss: number;
  tuneLoss?: number;
}

/**
 * Cuts `pretrained` at its feature layer, puts a new dense head with `classes` outputs on it, trains the head
 * with the base frozen, then (with `tuneSteps` > 0 and layers above `freezeUntil`) unfreezes the base's top
 * layers and trains them at the lower `tuneLearningRate` beside the head (two Adam parameter groups).
 * `pretrained`'s layers are shared, not copied: they are the fine-tuned model's base.
 *
 * @example
 * ```ts
 * const pretrained = await loadModel(PRETRAINED_MODEL_DIRECTORY.pathname);
 * const few = selectClasses(train, NEW_CLASSES, { perClass: 10, seed: 1 });
 * const { model } = await finetune(pretrained, { train: few, classes: 5, freezeUntil: 'pool1' });
 * ```
 */
export async function finetune(pretrained: Model, options: FinetuneOptions): Promise<FinetuneResult> {
  const budget = { ...DEFAULT_BUDGET, ...definedOnly(options) };
  const featureLayer = options.featureLayer ?? FEATURE_LAYER;
  const base = freeze(cutModel(pretrained, featureLayer, { name: 'base' })) as Sequential;
  // Checked before any training, so a wrong name costs nothing.
  const names = base.layers.map((layer) => layer.name);
  const freezeUntil = options.freezeUntil ?? featureLayer;
  const cut = names.indexOf(freezeUntil);
  if (cut < 0) throw new DendriteError(`finetune: --freeze-until '${freezeUntil}' is not a layer of the base (layers: ${names.join(', ')})`);
  const head = createHead(options.classes, budget.seed, options);
  if (options.multiScale && options.imprint) throw new DendriteError('finetune: imprinting reads the single-scale features; it cannot be combined with multiScale');
  const model = options.multiScale ? multiScaleModel(base, head, 'finetuned') : addHead(base, [head], { name: 'finetuned' }) as Sequential;
  if (options.imprint) await imprintHead(base, head as CosineDense, options.train, options.classes);

  const headOptimizer = new Adam(head.parameters(), { learningRate: budget.learningRate });
  const headLoss = await trainSteps(model, headOptimizer, options.train, {
    steps: budget.headSteps, batchSize: budget.batchSize, seed: budget.seed, onStep: (step, loss) => options.onStep?.('head', step, loss),
  });
  headOptimizer.dispose();
  await options.afterHead?.(model);

  const top = base.layers.slice(cut + 1).filter((layer) => layer.parameters().length > 0);
  if (budget.tuneSteps === 0 || top.length === 0) return { model, unfrozen: [], headLoss };

  for (const layer of top) unfreeze(layer);
  const tuneOptimizer = new Adam([
    { params: top.flatMap((layer) => layer.parameters()), learningRate: budget.tuneLearningRate },
    { params: head.parameters() },
  ], { learningRate: budget.learningRate });
  const tuneLoss = await trainSteps(model, tuneOptimizer, options.train, {
    steps: budget.tuneSteps, batchSize: budget.batchSize, seed: budget.seed + 1, onStep: (step, loss) => options.onStep?.('tune', step, loss),
  });
  tuneOptimizer.dispose();
  return { model, unfrozen: top.map((layer) => layer.name), headLoss, tuneLoss };
}

/**
 * The baseline: the fine-tuned model's network (the transfer CNN's layers up to `features`, then one dense
 * head with `classes` outputs) from random weights (seeded), every layer trained with Adam at
 * `scratchLearningRate` for the fine-tuning's whole budget (`headSteps + tuneSteps` steps of `batchSize`,
 * the same seeded batches).
 *
 * @example
 * ```ts
 * const scratch = await trainFromScratch({ train: few, classes: 5 });
 * ```
 */
export async function trainFromScratch(options: Omit<FinetuneOptions, 'featureLayer' | 'freezeUntil' | 'afterHead' | 'imprint'>): Promise<TransferModel> {
  const budget = { ...DEFAULT_BUDGET, ...definedOnly(options) };
  const model = createScratchModel(options.classes, budget.seed, options.train.height, options.train.width, options.head, options.multiScale);
  const optimizer = new Adam(model.parameters(), { learningRate: budget.scratchLearningRate });
  await trainSteps(model, optimizer, options.train, {
    steps: budget.headSteps + budget.tuneSteps, batchSize: budget.batchSize, seed: budget.seed, onStep: (step, loss) => options.onStep?.('head', step, loss),
  });
  optimizer.dispose();
  return model;
}

/**
 * The network {@link finetune} makes (the transfer CNN's base up to `features` plus a head named `head` of the
 * kind `head`, default dense, initialized as `finetune` initializes it), with every weight random: what the
 * from-scratch baseline trains.
 *
 * @example
 * ```ts
 * const model = createScratchModel(5, 1);
 * ```
 */
export function createScratchModel(classes: number, seed: number, height = 28, width = 28, head: HeadKind = 'dense', multiScale = false): TransferModel {
  const full = createTransferCnn(classes, seed, height, width);
  const cut = full.layers.findIndex((layer) => layer.name === FEATURE_LAYER);
  // The pre-training head (hidden, logits) is not part of the fine-tuned network: dropped, its weights freed.
  for (const layer of full.layers.slice(cut + 1)) layer.dispose();
  const base = cutModel(full, FEATURE_LAYER, { name: 'base' });
  const newHead = createHead(classes, seed, { head });
  return multiScale ? multiScaleModel(base as Sequential, newHead, 'scratch') : addHead(base, [newHead], { name: 'scratch' }) as Sequential;
}

/** The transfer CNN's trunk layers a multi-scale head reads from, in order. */
const TRUNK_LAYERS = ['conv1', 'pool1', 'conv2', 'pool2'] as const;

/**
 * The trunk of `base` (the transfer CNN's conv1 → pool1 → conv2 → pool2, its layers shared, not copied) as a
 * functional model whose `head` reads pool1's and pool2's outputs, each flattened, joined by a `Concatenate` named
 * `features`: multi-scale features.
 */
function multiScaleModel(base: Sequential, head: Layer, name: string): FunctionalModel {
  const [conv1, pool1, conv2, pool2] = TRUNK_LAYERS.map((layerName) => {
    const layer = base.layers.find((candidate) => candidate.name === layerName);
    if (layer === undefined) throw new DendriteError(`finetune: multi-scale features need the transfer CNN's layer '${layerName}' (layers: ${base.layers.map((candidate) => candidate.name).join(', ')})`);
    return layer as Layer;
  });
  const x = input({ shape: (base.buildInputShape as readonly number[]).slice(1) });
  const low = pool1.apply(conv1.apply(x));
  const high = pool2.apply(conv2.apply(low));
  const features = new Concatenate({ name: 'features' }).apply([new Flatten({ name: 'flatten_pool1' }).apply(low), new Flatten({ name: 'flatten_pool2' }).apply(high)]);
  return functionalModel({ inputs: x, outputs: head.apply(features), name });
}

/** The new head layer (named `head`) of the kind `options.head`; refuses an unknown kind or imprinting a dense head. */
function createHead(classes: number, seed: number, options: HeadOptions): Layer {
  const kind = options.head ?? 'dense';
  if (!HEAD_KINDS.includes(kind)) throw new DendriteError(`finetune: head must be one of ${HEAD_KINDS.join(', ')}, got '${kind}'`);
  if (options.imprint && kind !== 'cosine') throw new DendriteError(`finetune: imprinting needs the cosine head (head: 'cosine'), got '${kind}'`);
  return kind === 'cosine' ? new CosineDense({ units: classes, scale: COSINE_SCALE, seed, name: 'head' }) : new Dense({ units: classes, seed, name: 'head' });
}

/**
 * Weight imprinting (Qi et al., 2018): sets column c of the cosine head's kernel to the mean of the L2-normalized
 * features (`base`'s output, eval mode) of `train`'s class-c examples, itself normalized. A class without examples
 * is refused (its column would be undefined).
 */
export async function imprintHead(base: Model, head: CosineDense, train: ImageSplit, classes: number, batchSize = 256): Promise<void> {
  const features = head.kernel.shape[0];
  const sums = new Float64Array(features * classes);
  const counts = new Int32Array(classes);
  const pixels = train.height * train.width;
  base.eval();
  for (let start = 0; start < train.count; start += batchSize) {
    const count = Math.min(batchSize, train.count - start);
    const output = tidy(() => noGrad(() => base.apply(tensor(train.images.subarray(start * pixels, (start + count) * pixels), [count, train.height, train.width, 1])) as Tensor));
    const values = await output.data();
    output.dispose();
    for (let row = 0; row < count; row++) {
      const label = train.labels[start + row];
      let squares = 0;
      for (let k = 0; k < features; k++) squares += values[row * features + k] ** 2;
      const norm = Math.sqrt(squares) || 1;
      for (let k = 0; k < features; k++) sums[k * classes + label] += values[row * features + k] / norm;
      counts[label]++;
    }
  }
  base.train();
  const missing = Array.from(counts).findIndex((count) => count === 0);
  if (missing >= 0) throw new DendriteError(`finetune: cannot imprint the head: the labelled examples have no image of class ${missing}`);
  const kernel = new Float32Array(features * classes);
  for (let label = 0; label < classes; label++) {
    let squares = 0;
    for (let k = 0; k < features; k++) squares += sums[k * classes + label] ** 2;
    const norm = Math.sqrt(squares) || 1;
    for (let k = 0; k < features; k++) kernel[k * classes + label] = sums[k * classes + label] / norm;
  }
  const value = tensor(kernel, [features, classes]);
  head.kernel.assign(value);
  value.dispose();
}

/** Test accuracy of a model on `test` (already restricted to its classes). */
export const testAccuracy = accuracyOn;

function definedOnly(options: Partial<Budget>): Partial<Budget> {
  const keys: Array<keyof Budget> = ['headSteps', 'tuneSteps', 'batchSize', 'learningRate', 'tuneLearningRate', 'scratchLearningRate', 'seed'];
  return Object.fromEntries(keys.filter((key) => options[key] !== undefined).map((key) => [key, options[key]]));
}
