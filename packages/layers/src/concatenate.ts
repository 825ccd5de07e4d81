import { DendriteError, concat, type Tensor } from '@dendrite/core';
import { Layer, type LayerOptions } from './layer.js';

export interface ConcatenateOptions extends LayerOptions {
  /** The axis joined along (default -1, the features); negative counts from the end; never the batch axis. */
  axis?: number;
}

/**
 * Joins a list of tensors along one axis (core's `concat`): e.g. features taken from several depths of a network
 * (multi-scale features) before one head. The other axes must agree. No parameters.
 *
 * @example
 * ```ts
 * const x = input({ shape: [28, 28, 1] });
 * const low = new MaxPool2D({ poolSize: 2 }).apply(new Conv2D({ filters: 8, kernelSize: 3, padding: 'same' }).apply(x));
 * const high = new MaxPool2D({ poolSize: 2 }).apply(new Conv2D({ filters: 16, kernelSize: 3, padding: 'same' }).apply(low));
 * const features = new Concatenate().apply([new Flatten().apply(low), new Flatten().apply(high)]);   // [-1, 1568 + 784]
 * ```
 */
export class Concatenate extends Layer<Tensor[], Tensor> {
  /** The options this layer takes besides name, seed and trainable (any other is refused). */
  static override readonly optionNames: readonly string[] = ['axis'];

  readonly axis: number;

  constructor(options: ConcatenateOptions = {}) {
    super(options);
    const axis = options.axis ?? -1;
    if (!Number.isInteger(axis) || axis === 0) throw new DendriteError(`Concatenate: axis must be a non-zero integer (0 is the batch axis), got ${options.axis}`);
    this.axis = axis;
  }

  protected forward(inputs: Tensor[]): Tensor {
    if (!Array.isArray(inputs) || inputs.length < 2) {
      throw new DendriteError(`${this.name}: Concatenate takes a list of at least 2 tensors, got ${Array.isArray(inputs) ? inputs.length : 'one tensor'}`);
    }
    const rank = inputs[0].rank;
    const axis = this.axis < 0 ? rank + this.axis : this.axis;
    if (axis <= 0 || axis >= rank) throw new DendriteError(`${this.name}: axis ${this.axis} is not a non-batch axis of rank-${rank} inputs`);
    inputs.forEach((x, index) => {
      if (x.rank !== rank || x.shape.some((size, dimension) => dimension !== axis && size !== inputs[0].shape[dimension])) {
        throw new DendriteError(`${this.name}: input ${index} has shape [${x.shape.join(', ')}], which does not match [${inputs[0].shape.join(', ')}] except on axis ${this.axis}`);
      }
    });
    return concat(inputs, axis);
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), axis: this.axis };
  }
}
