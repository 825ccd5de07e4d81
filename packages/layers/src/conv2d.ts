import {
  DendriteError, Tensor, add, concat, conv2d, conv2dMaxPool, conv2dTranspose, reshape, unstack, type FusedActivation, type Padding, type Pair,
} from '@dendrite/core';
import { getActivation, isFusedActivation, type ActivationName } from './activations.js';
import { configInitializer } from './dense.js';
import { getInitializer, type Initializer, type InitializerName } from './initializers.js';
import { Layer, type AnyLayer, type InputShape, type LayerOptions } from './layer.js';
import { booleanOption, checkPadding } from './options.js';
import { MaxPool2D } from './pooling.js';

interface ConvCommonOptions extends LayerOptions {
  /** Output channels. */
  filters: number;
  /** Window height and width (one number for a square window). */
  kernelSize: Pair;
  /** Default 1. */
  stride?: Pair;
  /** 'valid' (default), 'same', a number for every side, or [top, bottom, left, right]. */
  padding?: Padding;
  /** Default 1. */
  dilation?: Pair;
  /** Default 'linear'. */
  activation?: ActivationName;
  /** Default true. */
  useBias?: boolean;
  /** Default 'glorotUniform'. */
  kernelInitializer?: InitializerName | Initializer;
  /** Default 'zeros'. */
  biasInitializer?: InitializerName | Initializer;
}

/** Options of {@link Conv2D}: filters, kernelSize, and the common convolution options. */
export interface Conv2DOptions extends ConvCommonOptions {
  /** Split the channels into this many independent groups (default 1); depthwise when groups = input channels. */
  groups?: number;
}

function positivePair(value: Pair, op: string, field: string): [number, number] {
  const pair: [number, number] = typeof value === 'number' ? [value, value] : [value?.[0], value?.[1]];
  if (!pair.every((v) => Number.isInteger(v) && v > 0)) throw new DendriteError(`${op}: ${field} must be a positive integer or a pair of them, got ${JSON.stringify(value)}`);
  return pair;
}

/** Shared parts of the two convolution layers: options, bias, activation, config. */
abstract class ConvBase extends Layer {
  readonly filters: number;
  readonly kernelSize: [number, number];
  readonly stride: [number, number];
  readonly padding: Padding;
  readonly dilation: [number, number];
  readonly activation: ActivationName;
  readonly useBias: boolean;
  protected readonly kernelInitializer: InitializerName | Initializer;
  protected readonly biasInitializer: InitializerName | Initializer;
  /** The activation function named by `activation`. */
  protected readonly activationFn: (x: Tensor) => Tensor;
  kernel!: Tensor;
  bias: Tensor | null = null;

  constructor(options: ConvCommonOptions, op: string) {
    super(options);
    if (!Number.isInteger(options?.filters) || options.filters <= 0) throw new DendriteError(`${op}: filters must be a positive integer, got ${options?.filters}`);
    this.filters = options.filters;
    this.kernelSize = positivePair(options.kernelSize, op, 'kernelSize');
    this.stride = positivePair(options.stride ?? 1, op, 'stride');
    this.dilation = positivePair(options.dilation ?? 1, op, 'dilation');
    this.padding = checkPadding(options.padding ?? 'valid', op);
    this.activation = options.activation ?? 'linear';
    this.activationFn = getActivation(this.activation, op);
    this.useBias = booleanOption(options.useBias, op, 'useBias', true);
    this.kernelInitializer = options.kernelInitializer ?? 'glorotUniform';
    this.biasInitializer = options.biasInitializer ?? 'zeros';
    getInitializer(this.kernelInitializer, op);
    getInitializer(this.biasInitializer, op);
  }

  /** The channel count of an NHWC input shape (an error naming the layer for any other shape). */
  protected inputChannels(inputShape: InputShape): number {
    const shape = inputShape as readonly number[];
    if (shape.length !== 4 || !(shape[3] > 0)) {
      throw new DendriteError(`${this.name}: expects NHWC inputs [batch, height, width, channels], got [${shape.join(', ')}]`);
    }
    return shape[3];
  }

  /** activation(y + bias), without the bias when the layer has none. */
  protected addBiasAndActivation(y: Tensor): Tensor {
    return this.activationFn(this.bias ? add(y, this.bias) : y);
  }

  /** Refuse an input that is not NHWC with the built channel count, naming the layer. */
  protected checkInput(x: Tensor): void {
    if (x.rank !== 4 || x.shape[3] !== this.expectedChannels()) {
      throw new DendriteError(`${this.name}: expects NHWC inputs with ${this.expectedChannels()} channels, got [${x.shape.join(', ')}]`);
    }
  }

  /** The input channel count the weights were built for. */
  protected abstract expectedChannels(): number;

  /** The layer's options, as {@link Layer.getConfig}. */
  override getConfig(): Record<string, unknown> {
    return {
      ...super.getConfig(), filters: this.filters, kernelSize: this.kernelSize, stride: this.stride, padding: this.padding,
      dilation: this.dilation, activation: this.activation, useBias: this.useBias,
      ...configInitializer('kernelInitializer', this.kernelInitializer), ...configInitializer('biasInitializer', this.biasInitializer),
    };
  }
}

/**
 * 2-D convolution over NHWC images: `kernel [kh, kw, in / groups, filters]`, `bias [filters]`,
 * stride, padding ('valid', 'same' or explicit), dilation and channel groups.
 *
 * @example
 * ```ts
 * const conv = new Conv2D({ filters: 16, kernelSize: 3, padding: 'same', activation: 'relu', seed: 1 });
 * conv.apply(images); // [N, 28, 28, 1] -> [N, 28, 28, 16]
 * ```
 */
export class Conv2D extends ConvBase {
  /** The options this layer takes besides name, seed and trainable (any other is refused). */
  static override readonly optionNames: readonly string[] = ['filters', 'kernelSize', 'stride', 'padding', 'dilation', 'activation', 'useBias', 'kernelInitializer', 'biasInitializer', 'groups'];

  readonly groups: number;
  private channelsIn = 0;

  constructor(options: Conv2DOptions) {
    super(options, 'Conv2D');
    this.groups = options.groups ?? 1;
    if (!Number.isInteger(this.groups) || this.groups <= 0 || this.filters % this.groups !== 0) {
      throw new DendriteError(`Conv2D: groups must be a positive integer dividing filters (${this.filters}), got ${options.groups}`);
    }
  }

  protected override onBuild(inputShape: InputShape): void {
    const channels = this.inputChannels(inputShape);
    if (channels % this.groups !== 0) throw new DendriteError(`${this.name}: ${channels} input channels do not split into ${this.groups} groups`);
    this.channelsIn = channels;
    const [kh, kw] = this.kernelSize;
    this.kernel = this.addParameter('kernel', [kh, kw, channels / this.groups, this.filters], getInitializer(this.kernelInitializer, 'Conv2D'));
    if (this.useBias) this.bias = this.addParameter('bias', [this.filters], getInitializer(this.biasInitializer, 'Conv2D'));
  }

  /** The input channel count the weights were built for. */
  protected expectedChannels(): number {
    return this.channelsIn;
  }

  protected forward(x: Tensor): Tensor {
    this.checkInput(x);
    const options = { stride: this.stride, padding: this.padding, dilation: this.dilation };
    if (this.groups === 1) {
      // One fused conv + bias + activation op where core can fuse the activation (one kernel on the CPU backend).
      if (!isFusedActivation(this.activation)) return this.addBiasAndActivation(conv2d(x, this.kernel, options));
      return conv2d(x, this.kernel, { ...options, bias: this.bias, activation: this.activation });
    }
    // Groups: each group of input channels meets its own group of filters; the results are concatenated.
    // One unstack per operand (not a slice per group): its backward stacks the G gradients once, where
    // G slices would each pad a full-size gradient and sum them (quadratic in G for a depthwise conv).
    const inPerGroup = this.channelsIn / this.groups;
    const outPerGroup = this.filters / this.groups;
    const [batch, height, width] = x.shape;
    const [kh, kw] = this.kernelSize;
    const inputs = unstack(reshape(x, [batch, height, width, this.groups, inPerGroup]), 3);
    const kernels = unstack(reshape(this.kernel, [kh, kw, inPerGroup, this.groups, outPerGroup]), 3);
    const outputs = inputs.map((xs, group) => conv2d(xs, kernels[group], options));
    return this.addBiasAndActivation(concat(outputs, 3));
  }

  /**
   * @internal Whether a model may run this layer and `next`, the layer applied to its output, as one
   * core `conv2dMaxPool` ({@link Conv2D.applyPooled}). Only the built-in classes (a subclass may
   * change `forward`), one group and an activation core fuses into the convolution (others run
   * after the bias add, which the fused op cannot reproduce bit for bit), and a 2x2 stride-2 pool
   * without padding (the only pool the op computes).
   */
  poolsWith(next: AnyLayer | undefined): next is MaxPool2D {
    if (this.constructor !== Conv2D || next?.constructor !== MaxPool2D) return false;
    const pool = next as MaxPool2D;
    const unpadded = pool.padding === 'valid' || pool.padding === 0
      || (Array.isArray(pool.padding) && pool.padding.every((side) => side === 0));
    return this.groups === 1 && isFusedActivation(this.activation) && unpadded
      && pool.poolSize.every((size) => size === 2) && pool.stride.every((step) => step === 2);
  }

  /**
   * @internal `pool.apply(this.apply(x))` for a `pool` that {@link Conv2D.poolsWith} accepts, as one
   * core `conv2dMaxPool`: the same bits, forward and gradients, without the full-resolution
   * activation and its separate pool and activation gradients (the CNN's fit loop then costs what
   * its raw ops cost). An input the fused op cannot take (not float32 NHWC, a convolution smaller
   * than the 2x2 pool) goes through the two layers, so it fails as they do.
   */
  applyPooled(x: Tensor, pool: MaxPool2D): Tensor {
    if (!(x instanceof Tensor) || x.rank !== 4 || x.dtype !== 'float32' || this.convolvedSize(x.shape[1], 0) < 2 || this.convolvedSize(x.shape[2], 1) < 2) {
      return pool.apply(this.apply(x));
    }
    return this.applyWith(x, () => {
      this.checkInput(x);
      pool.assertNotDisposed();
      return conv2dMaxPool(x, this.kernel, {
        stride: this.stride, padding: this.padding, dilation: this.dilation, bias: this.bias, activation: this.activation as FusedActivation,
      });
    });
  }

  /** The convolution's output height (axis 0) or width (axis 1) for an input's, as core computes it. */
  private convolvedSize(size: number, axis: 0 | 1): number {
    if (this.padding === 'same') return Math.ceil(size / this.stride[axis]);
    const padding = this.padding === 'valid' ? [0, 0, 0, 0] : typeof this.padding === 'number' ? new Array(4).fill(this.padding) : [...this.padding];
    const window = (this.kernelSize[axis] - 1) * this.dilation[axis] + 1;
    return Math.floor((size + padding[2 * axis] + padding[2 * axis + 1] - window) / this.stride[axis]) + 1;
  }

  /** The layer's options, as {@link Layer.getConfig}. */
  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), groups: this.groups };
  }
}

/** Options of {@link Conv2DTranspose}: filters, kernelSize, and the common convolution options. */
export interface Conv2DTransposeOptions extends ConvCommonOptions {
  /** Extra rows/columns added to one side of the output (PyTorch's output_padding), below the stride. */
  outputPadding?: Pair;
}

/**
 * Transposed 2-D convolution (upsampling) over NHWC images: `kernel [kh, kw, filters, in]` (Keras's
 * layout), `bias [filters]`. Output size per dim: (in − 1)·stride − padBefore − padAfter +
 * dilation·(k − 1) + 1 + outputPadding, as PyTorch's ConvTranspose2d; 'same' gives in·stride.
 *
 * @example
 * ```ts
 * const up = new Conv2DTranspose({ filters: 8, kernelSize: 2, stride: 2, seed: 1 });
 * up.apply(features); // [N, 7, 7, 16] -> [N, 14, 14, 8]
 * ```
 */
export class Conv2DTranspose extends ConvBase {
  /** The options this layer takes besides name, seed and trainable (any other is refused). */
  static override readonly optionNames: readonly string[] = ['filters', 'kernelSize', 'stride', 'padding', 'dilation', 'activation', 'useBias', 'kernelInitializer', 'biasInitializer', 'outputPadding'];

  readonly outputPadding: [number, number];
  private channelsIn = 0;

  constructor(options: Conv2DTransposeOptions) {
    super(options, 'Conv2DTranspose');
    const raw = options.outputPadding ?? 0;
    this.outputPadding = typeof raw === 'number' ? [raw, raw] : [raw?.[0], raw?.[1]];
    if (!this.outputPadding.every((v, i) => Number.isInteger(v) && v >= 0 && v < Math.max(this.stride[i], this.dilation[i]))) {
      throw new DendriteError(`Conv2DTranspose: outputPadding must be non-negative integers below the stride or dilation, got ${JSON.stringify(raw)}`);
    }
    if (this.padding === 'same' && this.outputPadding.some((v) => v > 0)) {
      throw new DendriteError("Conv2DTranspose: outputPadding needs explicit or 'valid' padding, not 'same'");
    }
  }

  protected override onBuild(inputShape: InputShape): void {
    this.channelsIn = this.inputChannels(inputShape);
    const [kh, kw] = this.kernelSize;
    this.kernel = this.addParameter('kernel', [kh, kw, this.filters, this.channelsIn], getInitializer(this.kernelInitializer, 'Conv2DTranspose'));
    if (this.useBias) this.bias = this.addParameter('bias', [this.filters], getInitializer(this.biasInitializer, 'Conv2DTranspose'));
  }

  /** The input channel count the weights were built for. */
  protected expectedChannels(): number {
    return this.channelsIn;
  }

  /** The output height and width for an input's. */
  private outputSize(height: number, width: number): [number, number] {
    if (this.padding === 'same') return [height * this.stride[0], width * this.stride[1]];
    const padding = this.padding === 'valid' ? [0, 0, 0, 0] : typeof this.padding === 'number' ? new Array(4).fill(this.padding) : [...this.padding];
    const size = (input: number, axis: 0 | 1) => (input - 1) * this.stride[axis] - padding[2 * axis] - padding[2 * axis + 1]
      + this.dilation[axis] * (this.kernelSize[axis] - 1) + 1 + this.outputPadding[axis];
    return [size(height, 0), size(width, 1)];
  }

  protected forward(x: Tensor): Tensor {
    this.checkInput(x);
    const [height, width] = this.outputSize(x.shape[1], x.shape[2]);
    if (height <= 0 || width <= 0) throw new DendriteError(`${this.name}: input [${x.shape.join(', ')}] gives an empty output ${height}x${width}`);
    const y = conv2dTranspose(x, this.kernel, {
      outputShape: [x.shape[0], height, width, this.filters], stride: this.stride, padding: this.padding, dilation: this.dilation,
    });
    return this.addBiasAndActivation(y);
  }

  override outputShape(inputShape: InputShape): number[] {
    this.build(inputShape);
    const [batch, height, width] = inputShape as readonly number[];
    const [outHeight, outWidth] = this.outputSize(height, width);
    return [batch, outHeight, outWidth, this.filters];
  }

  /** The layer's options, as {@link Layer.getConfig}. */
  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), outputPadding: this.outputPadding };
  }
}
