import { DendriteError, avgPool2d, maxPool2d, mean, type Padding, type Pair, type Tensor } from '@dendrite/core';
import { Layer, type LayerOptions } from './layer.js';
import { booleanOption, checkPadding } from './options.js';

export interface Pool2DLayerOptions extends LayerOptions {
  /** Window height and width (default 2). */
  poolSize?: Pair;
  /** Default: the window size. */
  stride?: Pair;
  /** 'valid' (default), 'same', a number or [top, bottom, left, right]. */
  padding?: Padding;
}

abstract class Pool2DBase extends Layer {
  readonly poolSize: [number, number];
  readonly stride: [number, number];
  readonly padding: Padding;

  constructor(options: Pool2DLayerOptions, op: string) {
    super(options);
    const pair = (value: Pair, field: string): [number, number] => {
      const result: [number, number] = typeof value === 'number' ? [value, value] : [value?.[0], value?.[1]];
      if (!result.every((v) => Number.isInteger(v) && v > 0)) throw new DendriteError(`${op}: ${field} must be a positive integer or a pair of them, got ${JSON.stringify(value)}`);
      return result;
    };
    this.poolSize = pair(options.poolSize ?? 2, 'poolSize');
    this.stride = pair(options.stride ?? this.poolSize, 'stride');
    this.padding = checkPadding(options.padding ?? 'valid', op);
  }

  /** Refuse an input that is not NHWC, naming the layer. */
  protected checkInput(x: Tensor): void {
    if (x.rank !== 4) throw new DendriteError(`${this.name}: expects NHWC inputs [batch, height, width, channels], got [${x.shape.join(', ')}]`);
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), poolSize: this.poolSize, stride: this.stride, padding: this.padding };
  }
}

/**
 * Max over each window of NHWC inputs.
 *
 * @example
 * ```ts
 * new MaxPool2D({ poolSize: 2 }).apply(x); // [N, 28, 28, C] -> [N, 14, 14, C]
 * ```
 */
export class MaxPool2D extends Pool2DBase {
  /** The options this layer takes besides name, seed and trainable (any other is refused). */
  static override readonly optionNames: readonly string[] = ['poolSize', 'stride', 'padding'];

  constructor(options: Pool2DLayerOptions = {}) {
    super(options, 'MaxPool2D');
  }
  protected forward(x: Tensor): Tensor {
    this.checkInput(x);
    return maxPool2d(x, this.poolSize, { stride: this.stride, padding: this.padding });
  }
}

/**
 * Mean over each window of NHWC inputs (core's avgPool2d).
 *
 * @example
 * ```ts
 * new AvgPool2D({ poolSize: 2, stride: 1 }).apply(x); // [N, 8, 8, C] -> [N, 7, 7, C]
 * ```
 */
export class AvgPool2D extends Pool2DBase {
  /** The options this layer takes besides name, seed and trainable (any other is refused). */
  static override readonly optionNames: readonly string[] = ['poolSize', 'stride', 'padding'];

  constructor(options: Pool2DLayerOptions = {}) {
    super(options, 'AvgPool2D');
  }
  protected forward(x: Tensor): Tensor {
    this.checkInput(x);
    return avgPool2d(x, this.poolSize, { stride: this.stride, padding: this.padding });
  }
}

/**
 * Mean over height and width: [N, H, W, C] → [N, C] (or [N, 1, 1, C] with `keepDims`).
 *
 * @example
 * ```ts
 * new GlobalAvgPool2D().apply(features); // [N, 7, 7, 64] -> [N, 64]
 * ```
 */
export class GlobalAvgPool2D extends Layer {
  /** The options this layer takes besides name, seed and trainable (any other is refused). */
  static override readonly optionNames: readonly string[] = ['keepDims'];

  readonly keepDims: boolean;
  constructor(options: LayerOptions & { keepDims?: boolean } = {}) {
    super(options);
    this.keepDims = booleanOption(options.keepDims, 'GlobalAvgPool2D', 'keepDims', false);
  }
  protected forward(x: Tensor): Tensor {
    if (x.rank !== 4) throw new DendriteError(`${this.name}: expects NHWC inputs [batch, height, width, channels], got [${x.shape.join(', ')}]`);
    return mean(x, [1, 2], this.keepDims);
  }
  override outputShape(inputShape: readonly number[]): number[] {
    const [batch, , , channels] = inputShape;
    return this.keepDims ? [batch, 1, 1, channels] : [batch, channels];
  }
  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), keepDims: this.keepDims };
  }
}
