// The two model recipes of the classifier, built from @dendrite/layers. Both take NHWC images
// [batch, height, width, 1] with pixels in [0, 1] and return logits [batch, classes].
import { BatchNorm, Conv2D, Dense, Dropout, Flatten, MaxPool2D, ReLU, sequential, type Sequential } from '@dendrite/layers';
import type { ModelKind } from './model-info.js';

/** What a recipe needs to know about the data. */
export interface ModelShape {
  height: number;
  width: number;
  classes: number;
}

/**
 * The MLP of issue 11's proof: flatten, 128 and 64 ReLU units, logits.
 *
 * @example
 * ```ts
 * const model = createMlp({ height: 28, width: 28, classes: 10 }, 1);
 * ```
 */
export function createMlp(shape: ModelShape, seed = 1): Sequential {
  const model = sequential([
    new Flatten(),
    new Dense({ units: 128, activation: 'relu', kernelInitializer: 'heNormal' }),
    new Dense({ units: 64, activation: 'relu', kernelInitializer: 'heNormal' }),
    new Dense({ units: shape.classes }),
  ], { seed, name: 'classifier_mlp' });
  model.build([-1, shape.height, shape.width, 1]);
  return model;
}

/** conv 3×3 (no bias: batch norm's beta is the bias) → batch norm → ReLU. */
function convBlock(filters: number) {
  return [new Conv2D({ filters, kernelSize: 3, padding: 'same', useBias: false, kernelInitializer: 'heNormal' }), new BatchNorm(), new ReLU()];
}

/**
 * The CNN recipe: three conv-bn-relu blocks of 16, 32 and 64 filters (3×3, 'same'), max-pooling 2 after
 * the first two, then dropout, a 128-unit ReLU layer, dropout and the logits. About 426k parameters,
 * most in the dense layer; the convolutions are kept narrow at full resolution because there they cost the
 * most (see the README's numbers for what an epoch costs on 2 CPU cores).
 *
 * @example
 * ```ts
 * const model = createCnn({ height: 28, width: 28, classes: 10 }, 1);
 * console.log(model.summary());
 * ```
 */
export function createCnn(shape: ModelShape, seed = 1): Sequential {
  const model = sequential([
    ...convBlock(16), new MaxPool2D({ poolSize: 2 }),
    ...convBlock(32), new MaxPool2D({ poolSize: 2 }),
    ...convBlock(64),
    new Flatten(),
    new Dropout({ rate: 0.3 }),
    new Dense({ units: 128, activation: 'relu', kernelInitializer: 'heNormal' }),
    new Dropout({ rate: 0.3 }),
    new Dense({ units: shape.classes }),
  ], { seed, name: 'classifier_cnn' });
  model.build([-1, shape.height, shape.width, 1]);
  return model;
}

/** The recipe named `kind`. */
export function createModel(kind: ModelKind, shape: ModelShape, seed = 1): Sequential {
  return kind === 'cnn' ? createCnn(shape, seed) : createMlp(shape, seed);
}
