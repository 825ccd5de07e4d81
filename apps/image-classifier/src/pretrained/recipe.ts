// The transfer-learning experiment's fixed parts: which Fashion-MNIST classes the shipped model was
// pre-trained on, which it has never seen, and the small CNN both the pre-trained and the from-scratch
// models use (so "fine-tuned vs scratch" compares the same network, differing only in its start).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Conv2D, Dense, Flatten, MaxPool2D, sequential, type Sequential } from '@dendrite/layers';

/** Classes 0–4 (T-shirt/top, Trouser, Pullover, Dress, Coat): what the shipped model learned. */
export const PRETRAIN_CLASSES: readonly number[] = [0, 1, 2, 3, 4];
/** Classes 5–9 (Sandal, Shirt, Sneaker, Bag, Ankle boot): new to it, learned from few labels by fine-tuning. */
export const NEW_CLASSES: readonly number[] = [5, 6, 7, 8, 9];
/**
 * The three pre-train / learn splits of Fashion-MNIST the README measures, each with its shipped pre-trained model
 * (a folder under `src/pretrained/`):
 * - `first-last`: pre-trained on classes 0–4, learning 5–9 (Sandal, Shirt, Sneaker, Bag, Ankle boot);
 * - `confusable`: learning the five classes a from-scratch model confuses most among themselves on held-out
 *   training images (T-shirt/top, Pullover, Dress, Coat, Shirt: `scripts/confusable-split.py`), pre-trained on
 *   the other five (Trouser, Sandal, Sneaker, Bag, Ankle boot);
 * - `paired` (near transfer): the classes paired greedily by that model's mutual confusions (`pairedSplit` in
 *   `splits.ts`: T-shirt/top–Shirt, Pullover–Coat, Sneaker–Ankle boot, Trouser–Dress, Sandal–Bag), the lower label
 *   of each pair pre-trained on (0, 1, 2, 5, 7), the other learned (3, 4, 6, 8, 9), so each new class has a
 *   look-alike among the source classes.
 */
export const TRANSFER_SPLITS = {
  'first-last': { pretrainClasses: PRETRAIN_CLASSES, newClasses: NEW_CLASSES, model: 'fashion5-cnn' },
  confusable: { pretrainClasses: [1, 5, 7, 8, 9] as readonly number[], newClasses: [0, 2, 3, 4, 6] as readonly number[], model: 'fashion5b-cnn' },
  paired: { pretrainClasses: [0, 1, 2, 5, 7] as readonly number[], newClasses: [3, 4, 6, 8, 9] as readonly number[], model: 'fashion5-paired-cnn' },
} as const;
/** A key of {@link TRANSFER_SPLITS}. */
export type TransferSplit = keyof typeof TRANSFER_SPLITS;

/** The layer whose output is the features a new head is put on: the flattened convolutional trunk. */
export const FEATURE_LAYER = 'features';
/** `--freeze-until` default: the first block stays frozen, fine-tuning unfreezes the top block (`conv2`). */
export const TRUNK_END = 'pool1';

/**
 * Where a shipped pre-trained model lives (model.json + float16 weights.safetensors + recipe.json): by default
 * `src/pretrained/fashion5-cnn` of this app (the `first-last` split's, the `finetune` default), else the
 * `split`'s folder; found from the sources (tests) or from the bundles in dist/.
 *
 * @example
 * ```ts
 * const pretrained = await loadModel(pretrainedModelDirectory());
 * const forConfusable = await loadModel(pretrainedModelDirectory('confusable'));
 * ```
 */
export function pretrainedModelDirectory(split: TransferSplit = 'first-last'): string {
  // From dist/*.js the sources are at ../src/pretrained; from src/pretrained/recipe.ts they are here.
  const fromBundle = new URL('../src/pretrained/', import.meta.url);
  const folder = existsSync(fromBundle) ? fromBundle : new URL('./', import.meta.url);
  return fileURLToPath(new URL(TRANSFER_SPLITS[split].model, folder));
}

/**
 * The transfer CNN: conv 3×3×16 (relu) → max-pool 2 → conv 3×3×32 (relu) → max-pool 2 → flatten
 * (`features`, 1,568 values) → dense 64 (relu, `hidden`) → dense `classes` (`logits`). NHWC input [batch, height, width, 1].
 * About 105k parameters (211 KB in float16).
 *
 * @example
 * ```ts
 * const model = createTransferCnn(5, 1);   // the pre-training network (5 classes)
 * ```
 */
export function createTransferCnn(classes: number, seed: number, height = 28, width = 28): Sequential {
  const model = sequential([
    new Conv2D({ filters: 16, kernelSize: 3, padding: 'same', activation: 'relu', kernelInitializer: 'heNormal', name: 'conv1' }),
    new MaxPool2D({ poolSize: 2, name: 'pool1' }),
    new Conv2D({ filters: 32, kernelSize: 3, padding: 'same', activation: 'relu', kernelInitializer: 'heNormal', name: 'conv2' }),
    new MaxPool2D({ poolSize: 2, name: 'pool2' }),
    new Flatten({ name: FEATURE_LAYER }),
    new Dense({ units: 64, activation: 'relu', kernelInitializer: 'heNormal', name: 'hidden' }),
    new Dense({ units: classes, name: 'logits' }),
  ], { seed, name: 'transfer_cnn' });
  model.build([-1, height, width, 1]);
  return model;
}
