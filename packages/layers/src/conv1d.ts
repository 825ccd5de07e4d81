import { DendriteError, add, conv2d, formatShape, reshape, type Padding as Conv2DPadding, type Tensor } from '@dendrite/core';
import { getActivation, type ActivationName } from './activations.js';
import { configInitializer } from './dense.js';
import { getInitializer, type Initializer, type InitializerName } from './initializers.js';
import { Layer, type InputShape, type LayerOptions } from './layer.js';
import { booleanOption } from './options.js';

export interface Conv1DOptions extends LayerOptions {
  /** Output channels. */
  filters: number;
  /** Window length. */
  kernelSize: number;
  /** Step between windows (default 1). */
  stride?: number;
  /** 'valid' (default), 'same' (output length ceil(length / stride)) or a number of zeros on both sides. */
  padding?: 'same' | 'valid' | number;
  /** Spacing between the window's taps (default 1). */
  dilation?: number;
  /** Default 'linear'. */
  activation?: ActivationName;
  /** Default true. */
  useBias?: boolean;
  /** Default 'glorotUniform'. */
  kernelInitializer?: InitializerName | Initializer;
  /** Default 'zeros'. */
  biasInitializer?: InitializerName | Initializer;
}

/**
 * 1-D convolution over sequences [batch, length, channels] (text, audio, time series), with
 * `kernel [kernelSize, inChannels, filters]` (Keras's layout; PyTorch's Conv1d weight is
 * [filters, inChannels, kernelSize]). Runs as core's conv2d on an image of height 1, so every
 * backend's conv kernel and gradient serve it.
 *
 * @example
 * ```ts
 * const conv = new Conv1D({ filters: 16, kernelSize: 3, padding: 'same', activation: 'relu', seed: 1 });
 * const features = conv.apply(embedded);   // [batch, length, 16]
 * ```
 */
export class Conv1D extends Layer {
  /** The options this layer takes besides name, seed and trainable (any other is refused). */
  static override readonly optionNames: readonly string[] = ['filters', 'kernelSize', 'stride', 'padding', 'dilation', 'activation', 'useBias', 'kernelInitializer', 'biasInitializer'];

  readonly filters: number;
  readonly kernelSize: number;
  readonly stride: number;
  readonly padding: 'same' | 'valid' | number;
  readonly dilation: number;
  readonly activation: ActivationName;
  readonly useBias: boolean;
  private readonly kernelInitializer: InitializerName | Initializer;
  private readonly biasInitializer: InitializerName | Initializer;
  private readonly activationFn: (x: Tensor) => Tensor;
  kernel!: Tensor;
  bias: Tensor | null = null;

  constructor(options: Conv1DOptions) {
    super(options);
    const positive = (value: unknown) => Number.isInteger(value) && (value as number) > 0;
    for (const key of ['filters', 'kernelSize'] as const) {
      if (!positive(options?.[key])) throw new DendriteError(`Conv1D: ${key} must be a positive integer, got ${options?.[key]}`);
    }
    this.filters = options.filters;
    this.kernelSize = options.kernelSize;
    this.stride = options.stride ?? 1;
    this.dilation = options.dilation ?? 1;
    if (!positive(this.stride)) throw new DendriteError(`Conv1D: stride must be a positive integer, got ${this.stride}`);
    if (!positive(this.dilation)) throw new DendriteError(`Conv1D: dilation must be a positive integer, got ${this.dilation}`);
    this.padding = options.padding ?? 'valid';
    if (!(this.padding === 'same' || this.padding === 'valid' || (Number.isInteger(this.padding) && this.padding >= 0))) {
      throw new DendriteError(`Conv1D: padding must be 'same', 'valid' or a non-negative integer, got ${JSON.stringify(this.padding)}`);
    }
    this.activation = options.activation ?? 'linear';
    this.activationFn = getActivation(this.activation, 'Conv1D');
    this.useBias = booleanOption(options.useBias, 'Conv1D', 'useBias', true);
    this.kernelInitializer = options.kernelInitializer ?? 'glorotUniform';
    this.biasInitializer = options.biasInitializer ?? 'zeros';
    getInitializer(this.kernelInitializer, 'Conv1D');
    getInitializer(this.biasInitializer, 'Conv1D');
  }

  protected override onBuild(inputShape: InputShape): void {
    const shape = inputShape as readonly number[];
    const channels = shape[2];
    if (shape.length !== 3 || !Number.isInteger(channels) || channels <= 0) {
      throw new DendriteError(`${this.name}: Conv1D needs inputs [batch, length, channels] with known channels, got [${shape.join(', ')}]`);
    }
    this.kernel = this.addParameter('kernel', [this.kernelSize, channels, this.filters], getInitializer(this.kernelInitializer, 'Conv1D'));
    if (this.useBias) this.bias = this.addParameter('bias', [this.filters], getInitializer(this.biasInitializer, 'Conv1D'));
  }

  protected forward(x: Tensor): Tensor {
    const channels = this.kernel.shape[1];
    if (x.rank !== 3 || x.shape[2] !== channels) {
      throw new DendriteError(`${this.name}: expected inputs [batch, length, ${channels}], got ${formatShape(x.shape)}`);
    }
    const [batch, length] = x.shape;
    // Height 1: the window, stride, dilation and padding all act along the width (the sequence).
    const padding: Conv2DPadding = typeof this.padding === 'number' ? [0, 0, this.padding, this.padding] : this.padding;
    const image = conv2d(reshape(x, [batch, 1, length, channels]), reshape(this.kernel, [1, this.kernelSize, channels, this.filters]), {
      stride: [1, this.stride], dilation: [1, this.dilation], padding,
    });
    let y = reshape(image, [batch, image.shape[2], this.filters]);
    if (this.bias) y = add(y, this.bias);
    return this.activationFn(y);
  }

  override outputShape(inputShape: InputShape): number[] {
    this.build(inputShape);
    const [batch, length] = inputShape as readonly number[];
    if (length === -1) return [batch, -1, this.filters];
    const span = (this.kernelSize - 1) * this.dilation + 1;
    const padded = this.padding === 'same' ? null : length + 2 * (this.padding === 'valid' ? 0 : this.padding);
    const outLength = padded === null ? Math.ceil(length / this.stride) : Math.floor((padded - span) / this.stride) + 1;
    return [batch, outLength, this.filters];
  }

  override getConfig(): Record<string, unknown> {
    return {
      ...super.getConfig(), filters: this.filters, kernelSize: this.kernelSize, stride: this.stride, padding: this.padding,
      dilation: this.dilation, activation: this.activation, useBias: this.useBias,
      ...configInitializer('kernelInitializer', this.kernelInitializer),
      ...configInitializer('biasInitializer', this.biasInitializer),
    };
  }
}
