import { DendriteError, int8Conv2d, maxPool2d, ones, zeros, type Padding, type Tensor } from '@dendrite/core';
import { getActivation, type ActivationName } from '../activations.js';
import type { Conv2D } from '../conv2d.js';
import { Layer, type InputShape } from '../layer.js';
import { booleanOption, checkPadding } from '../options.js';
import type { LayerOptions } from '../layer.js';
import { loadQuantizedKernel } from './per-channel.js';

export interface QuantizedConv2DOptions extends LayerOptions {
  filters: number;
  kernelSize: [number, number];
  stride?: [number, number];
  padding?: Padding;
  dilation?: [number, number];
  activation?: ActivationName;
  useBias?: boolean;
  /** A calibrated activation scale; 0 or omitted: each image gets its own, max|image| / 127. */
  inputScale?: number;
  /**
   * A max pool fused after the activation: non-overlapping [height, width] windows (stride = window,
   * 'valid'), what a following `MaxPool2D` did (quantizeModel fuses one). With a 'linear' or 'relu'
   * activation the kernel pools the int32 sums before dequantizing (exact: neither reverses an
   * order); other activations pool after the activation. null or omitted: no pool.
   */
  maxPool?: [number, number] | null;
}

/**
 * A Conv2D layer (groups 1) with int8 weights, for inference: `kernel [kh, kw, in, filters]` int8
 * values (stored int32, saved as safetensors I8), `kernelScale [filters]` per output channel, float32
 * `bias`. Each input image is quantized to int8 (its own scale, or a calibrated `inputScale`) and
 * convolved with the int8 filter by core's `int8Conv2d` (on the CPU backend a WebAssembly SIMD
 * integer kernel: pairs of quantized inputs against 4 output channels' packed weights, exact int32
 * sums), then scaled back per channel, plus bias; relu, and a following max pool (`maxPool`), are fused.
 *
 * @example
 * ```ts
 * const quantized = await QuantizedConv2D.fromConv2D(conv);
 * ```
 */
export class QuantizedConv2D extends Layer {
  /** The options this layer takes besides name, seed and trainable (any other is refused). */
  static override readonly optionNames: readonly string[] = ['filters', 'kernelSize', 'stride', 'padding', 'dilation', 'activation', 'useBias', 'inputScale', 'maxPool'];

  readonly filters: number;
  readonly kernelSize: [number, number];
  readonly stride: [number, number];
  readonly padding: Padding;
  readonly dilation: [number, number];
  readonly activation: ActivationName;
  readonly useBias: boolean;
  readonly inputScale: number;
  readonly maxPool: [number, number] | null;
  private readonly activationFn: (x: Tensor) => Tensor;
  kernel!: Tensor;
  kernelScale!: Tensor;
  bias: Tensor | null = null;

  constructor(options: QuantizedConv2DOptions) {
    super(options);
    if (!Number.isInteger(options?.filters) || options.filters <= 0) throw new DendriteError(`QuantizedConv2D: filters must be a positive integer, got ${options?.filters}`);
    const pair = (value: [number, number] | undefined, field: string): [number, number] => {
      const resolved = value ?? [1, 1];
      if (!Array.isArray(resolved) || resolved.length !== 2 || !resolved.every((v) => Number.isInteger(v) && v > 0)) {
        throw new DendriteError(`QuantizedConv2D: ${field} must be a pair of positive integers, got ${JSON.stringify(value)}`);
      }
      return [resolved[0], resolved[1]];
    };
    const inputScale = options.inputScale ?? 0;
    if (!Number.isFinite(inputScale) || inputScale < 0) throw new DendriteError(`QuantizedConv2D: inputScale must be a finite number >= 0, got ${inputScale}`);
    this.filters = options.filters;
    this.kernelSize = pair(options.kernelSize, 'kernelSize');
    this.stride = pair(options.stride, 'stride');
    this.dilation = pair(options.dilation, 'dilation');
    this.padding = checkPadding(options.padding ?? 'valid', 'QuantizedConv2D');
    this.activation = options.activation ?? 'linear';
    this.activationFn = getActivation(this.activation, 'QuantizedConv2D');
    this.useBias = booleanOption(options.useBias, 'QuantizedConv2D', 'useBias', true);
    this.inputScale = inputScale;
    this.maxPool = (options.maxPool ?? null) === null ? null : pair(options.maxPool!, 'maxPool');
  }

  /**
   * The int8 version of a built Conv2D layer (groups 1): its filter quantized per output channel;
   * `maxPool` fuses a following non-overlapping max pool.
   */
  static async fromConv2D(conv: Conv2D, inputScale = 0, maxPool: [number, number] | null = null): Promise<QuantizedConv2D> {
    if (conv.buildInputShape === null) throw new DendriteError(`QuantizedConv2D.fromConv2D: '${conv.name}' is not built yet`);
    if (conv.groups !== 1) throw new DendriteError(`QuantizedConv2D.fromConv2D: '${conv.name}' has ${conv.groups} groups; only groups 1 is quantized`);
    const layer = new QuantizedConv2D({
      filters: conv.filters, kernelSize: conv.kernelSize, stride: conv.stride, padding: conv.padding, dilation: conv.dilation,
      activation: conv.activation, useBias: conv.useBias, inputScale, maxPool, name: conv.name,
    });
    layer.build(conv.buildInputShape);
    await loadQuantizedKernel(layer, conv.kernel, conv.bias, false);
    return layer;
  }

  protected override onBuild(inputShape: InputShape): void {
    const shape = inputShape as readonly number[];
    if (shape.length !== 4 || !(shape[3] > 0)) throw new DendriteError(`${this.name}: expects NHWC inputs [batch, height, width, channels], got [${shape.join(', ')}]`);
    const [kh, kw] = this.kernelSize;
    this.kernel = this.addBuffer('kernel', zeros([kh, kw, shape[3], this.filters], 'int32'));
    this.kernelScale = this.addBuffer('kernelScale', ones([this.filters]));
    if (this.useBias) this.bias = this.addBuffer('bias', zeros([this.filters]));
  }

  /** The state tensors stored as int8 (safetensors I8) when saved. */
  int8StateKeys(): string[] {
    return ['kernel'];
  }

  protected forward(x: Tensor): Tensor {
    if (x.rank !== 4 || x.shape[3] !== this.kernel.shape[2]) {
      throw new DendriteError(`${this.name}: expects NHWC inputs with ${this.kernel.shape[2]} channels, got [${x.shape.join(', ')}]`);
    }
    const fused = this.activation === 'relu' || this.activation === 'linear';
    const y = int8Conv2d(x, this.kernel, this.kernelScale, {
      stride: this.stride, padding: this.padding, dilation: this.dilation, bias: this.bias,
      activation: this.activation === 'relu' ? 'relu' : 'linear', inputScale: this.inputScale,
      maxPool: fused ? this.maxPool ?? undefined : undefined,
    });
    if (fused) return y;
    const activated = this.activationFn(y);
    return this.maxPool === null ? activated : maxPool2d(activated, this.maxPool);
  }

  override getConfig(): Record<string, unknown> {
    return {
      ...super.getConfig(), filters: this.filters, kernelSize: this.kernelSize, stride: this.stride, padding: this.padding,
      dilation: this.dilation, activation: this.activation, useBias: this.useBias, inputScale: this.inputScale, maxPool: this.maxPool,
    };
  }
}
