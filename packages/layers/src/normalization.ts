import {
  DendriteError, add, batchNorm, layerNorm, moments, mul, noGrad, ones, zeros, type Tensor,
} from '@dendrite/core';
import { Layer, type InputShape, type LayerOptions } from './layer.js';
import { booleanOption } from './options.js';
import * as initializers from './initializers.js';

export interface BatchNormOptions extends LayerOptions {
  /** Weight of the new batch in the running statistics (PyTorch's convention, default 0.1). */
  momentum?: number;
  /** Default 1e-5. */
  epsilon?: number;
  /** Learn a shift `beta` (default true). */
  center?: boolean;
  /** Learn a scale `gamma` (default true). */
  scale?: boolean;
}

function checkRange(value: number, op: string, field: string, low: number, high: number): number {
  if (typeof value !== 'number' || !(value >= low && value <= high)) throw new DendriteError(`${op}: ${field} must be in [${low}, ${high}], got ${value}`);
  return value;
}

/**
 * Batch normalization over the last axis (channels of NHWC images, or features): `gamma`, `beta`
 * [C] parameters and `runningMean`, `runningVariance` [C] buffers. Training mode normalizes with the
 * batch's statistics (biased variance) and updates the running ones as PyTorch does —
 * running = (1 − momentum)·running + momentum·batch, with the unbiased batch variance; eval mode
 * normalizes with the running statistics.
 *
 * @example
 * ```ts
 * const norm = new BatchNorm({ momentum: 0.1 });
 * norm.apply(x);           // training: batch statistics, running ones updated
 * norm.eval().apply(x);    // running statistics
 * ```
 */
export class BatchNorm extends Layer {
  /** The options this layer takes besides name, seed and trainable (any other is refused). */
  static override readonly optionNames: readonly string[] = ['momentum', 'epsilon', 'center', 'scale'];

  readonly momentum: number;
  readonly epsilon: number;
  readonly center: boolean;
  readonly scale: boolean;
  gamma: Tensor | null = null;
  beta: Tensor | null = null;
  runningMean!: Tensor;
  runningVariance!: Tensor;

  constructor(options: BatchNormOptions = {}) {
    super(options);
    this.momentum = checkRange(options.momentum ?? 0.1, 'BatchNorm', 'momentum', 0, 1);
    this.epsilon = checkRange(options.epsilon ?? 1e-5, 'BatchNorm', 'epsilon', 0, 1);
    this.center = booleanOption(options.center, 'BatchNorm', 'center', true);
    this.scale = booleanOption(options.scale, 'BatchNorm', 'scale', true);
  }

  protected override onBuild(inputShape: InputShape): void {
    const shape = inputShape as readonly number[];
    const channels = shape[shape.length - 1];
    if (shape.length < 2 || !(channels > 0)) throw new DendriteError(`${this.name}: BatchNorm needs inputs [batch, ..., channels], got [${shape.join(', ')}]`);
    if (this.scale) this.gamma = this.addParameter('gamma', [channels], initializers.ones);
    if (this.center) this.beta = this.addParameter('beta', [channels], initializers.zeros);
    this.runningMean = this.addBuffer('runningMean', zeros([channels]));
    this.runningVariance = this.addBuffer('runningVariance', ones([channels]));
  }

  protected forward(x: Tensor): Tensor {
    const channels = this.runningMean.shape[0];
    if (x.rank < 2 || x.shape[x.rank - 1] !== channels) {
      throw new DendriteError(`${this.name}: expected inputs [batch, ..., ${channels}], got [${x.shape.join(', ')}]`);
    }
    if (!this.training) {
      return batchNorm(x, this.gamma, this.beta, { epsilon: this.epsilon, mean: this.runningMean, variance: this.runningVariance });
    }
    const count = x.size / channels;
    if (count < 2) throw new DendriteError(`${this.name}: training needs more than one value per channel, got [${x.shape.join(', ')}]`);
    const statistics = moments(x, x.shape.slice(0, -1).map((_, axis) => axis));
    noGrad(() => {
      const keep = 1 - this.momentum;
      this.setBuffer('runningMean', add(mul(this.runningMean, keep), mul(statistics.mean, this.momentum)));
      const unbiased = mul(statistics.variance, count / (count - 1));
      this.setBuffer('runningVariance', add(mul(this.runningVariance, keep), mul(unbiased, this.momentum)));
    });
    return batchNorm(x, this.gamma, this.beta, { epsilon: this.epsilon, mean: statistics.mean, variance: statistics.variance });
  }

  override outputShape(inputShape: InputShape): number[] {
    this.build(inputShape);
    return [...(inputShape as readonly number[])];
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), momentum: this.momentum, epsilon: this.epsilon, center: this.center, scale: this.scale };
  }
}

export interface LayerNormOptions extends LayerOptions {
  /** Axis or axes normalized per example (default -1). */
  axis?: number | readonly number[];
  /** Default 1e-5. */
  epsilon?: number;
  /** Learn a shift `beta` (default true). */
  center?: boolean;
  /** Learn a scale `gamma` (default true). */
  scale?: boolean;
}

/**
 * Layer normalization per example over `axis` (core's layerNorm) with `gamma` and `beta` of the
 * normalized axes' shape. Same in training and eval.
 *
 * @example
 * ```ts
 * new LayerNorm().apply(hidden); // [batch, time, features], normalized over features
 * ```
 */
export class LayerNorm extends Layer {
  /** The options this layer takes besides name, seed and trainable (any other is refused). */
  static override readonly optionNames: readonly string[] = ['axis', 'epsilon', 'center', 'scale'];

  readonly axis: number | number[];
  readonly epsilon: number;
  readonly center: boolean;
  readonly scale: boolean;
  gamma: Tensor | null = null;
  beta: Tensor | null = null;

  constructor(options: LayerNormOptions = {}) {
    super(options);
    const axis = options.axis ?? -1;
    if (!(Number.isInteger(axis) || (Array.isArray(axis) && axis.length > 0 && axis.every((a) => Number.isInteger(a))))) {
      throw new DendriteError(`LayerNorm: axis must be an integer or a non-empty list of them, got ${JSON.stringify(options.axis)}`);
    }
    this.axis = typeof axis === 'number' ? axis : [...axis];
    this.epsilon = checkRange(options.epsilon ?? 1e-5, 'LayerNorm', 'epsilon', 0, 1);
    this.center = booleanOption(options.center, 'LayerNorm', 'center', true);
    this.scale = booleanOption(options.scale, 'LayerNorm', 'scale', true);
  }

  protected override onBuild(inputShape: InputShape): void {
    const shape = inputShape as readonly number[];
    const axes = (typeof this.axis === 'number' ? [this.axis] : this.axis).map((axis) => (axis < 0 ? axis + shape.length : axis));
    if (axes.some((axis) => !Number.isInteger(axis) || axis <= 0 || axis >= shape.length || !(shape[axis] > 0))) {
      throw new DendriteError(`${this.name}: axis ${JSON.stringify(this.axis)} must name known, non-batch axes of [${shape.join(', ')}]`);
    }
    const normalized = axes.sort((a, b) => a - b).map((axis) => shape[axis]);
    if (this.scale) this.gamma = this.addParameter('gamma', normalized, initializers.ones);
    if (this.center) this.beta = this.addParameter('beta', normalized, initializers.zeros);
  }

  protected forward(x: Tensor): Tensor {
    return layerNorm(x, this.gamma, this.beta, { axis: this.axis, epsilon: this.epsilon });
  }

  override outputShape(inputShape: InputShape): number[] {
    this.build(inputShape);
    return [...(inputShape as readonly number[])];
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), axis: this.axis, epsilon: this.epsilon, center: this.center, scale: this.scale };
  }
}
