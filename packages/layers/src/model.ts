// What Sequential and functional models add to a layer: summary() and predict().

import { DendriteError, Tensor, concat, noGrad, slice, tidy } from '@dendrite/core';
import { Layer } from './layer.js';
import { checkOptionNames } from './options.js';
import { summary } from './summary.js';

/** Input or output of a model: one tensor or a list of them. */
export type TensorOrList = Tensor | Tensor[];

/** A layer made of layers: adds `summary()` and batched `predict()`. */
export abstract class Model<In extends TensorOrList = Tensor, Out extends TensorOrList = Tensor> extends Layer<In, Out> {
  /** The layer table (see {@link summary}). */
  summary(): string {
    return summary(this);
  }

  /**
   * Run the model in eval mode without recording gradients, `batchSize` examples at a time (default
   * 32), and concatenate the results. The caller owns (and disposes) the returned tensors; the
   * model's training mode is restored afterwards.
   *
   * @example
   * ```ts
   * const probabilities = model.predict(images, { batchSize: 256 });
   * ```
   */
  predict(input: In, options: { batchSize?: number } = {}): Out {
    if (options === null || typeof options !== 'object') throw new DendriteError(`${this.name}.predict: options must be an object, got ${String(options)}`);
    checkOptionNames(`${this.name}.predict`, options, ['batchSize']);
    const batchSize = options.batchSize ?? 32;
    if (!Number.isInteger(batchSize) || batchSize <= 0) throw new DendriteError(`${this.name}.predict: batchSize must be a positive integer, got ${batchSize}`);
    const inputs = input instanceof Tensor ? [input] : (input as Tensor[]);
    if (!Array.isArray(inputs) || inputs.length === 0 || inputs.some((x) => !(x instanceof Tensor))) {
      throw new DendriteError(`${this.name}.predict: input must be a tensor or a list of tensors`);
    }
    const count = inputs[0].shape[0];
    if (inputs.some((x) => x.rank === 0 || x.shape[0] !== count)) {
      throw new DendriteError(`${this.name}.predict: every input needs the same leading batch size, got ${inputs.map((x) => `[${x.shape.join(', ')}]`).join(', ')}`);
    }
    const wasTraining = this.training;
    this.eval();
    try {
      return tidy(() => noGrad(() => {
        const pieces: Tensor[][] = [];
        let single = true;
        for (let start = 0; start < count; start += batchSize) {
          const size = Math.min(batchSize, count - start);
          // One scope per batch frees its intermediates; its outputs survive until concatenated.
          pieces.push(tidy(() => {
            const batch = inputs.map((x) => (size === count ? x : slice(x, [start], [size])));
            const output = this.apply((input instanceof Tensor ? batch[0] : batch) as In) as TensorOrList;
            single = output instanceof Tensor;
            return output instanceof Tensor ? [output] : output;
          }));
        }
        const joined = pieces[0].map((_, k) => (pieces.length === 1 ? pieces[0][k] : concat(pieces.map((outputs) => outputs[k]), 0)));
        return (single ? joined[0] : joined) as Out;
      }));
    } finally {
      this.train(wasTraining);
    }
  }
}
