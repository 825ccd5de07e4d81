import { DendriteError, int8Linear, zeros, ones, type Tensor } from '@dendrite/core';
import { getActivation, type ActivationName } from '../activations.js';
import { overRows, type Dense } from '../dense.js';
import { Layer, type InputShape, type LayerOptions } from '../layer.js';
import { booleanOption } from '../options.js';
import { loadQuantizedKernel } from './per-channel.js';

export interface QuantizedDenseOptions extends LayerOptions {
  /** Output features. */
  units: number;
  /** Applied after dequantizing (default 'linear'); relu fuses into the int8 kernel. */
  activation?: ActivationName;
  /** Whether the layer adds a (float32) bias (default true). */
  useBias?: boolean;
  /** A calibrated activation scale (inputs quantize as round(x / inputScale)); 0 or omitted: per-row dynamic. */
  inputScale?: number;
}

/**
 * A Dense layer with int8 weights, for inference: `kernel [units, in]` int8 values (stored int32,
 * saved as safetensors I8), `kernelScale [units]` per output channel, float32 `bias [units]`. Inputs
 * are quantized per row (or with a calibrated `inputScale`) and multiplied by core's `int8Linear`
 * (WebAssembly SIMD integer dot products on the CPU backend). Made by {@link quantizeModel}; its
 * tensors are buffers, not parameters: it does not train.
 *
 * @example
 * ```ts
 * const quantized = await QuantizedDense.fromDense(dense);          // dynamic activation scales
 * quantized.apply(x);                                          // ≈ dense.apply(x)
 * ```
 */
export class QuantizedDense extends Layer {
  /** The options this layer takes besides name, seed and trainable (any other is refused). */
  static override readonly optionNames: readonly string[] = ['units', 'activation', 'useBias', 'inputScale'];

  readonly units: number;
  readonly activation: ActivationName;
  readonly useBias: boolean;
  readonly inputScale: number;
  private readonly activationFn: (x: Tensor) => Tensor;
  kernel!: Tensor;
  kernelScale!: Tensor;
  bias: Tensor | null = null;

  constructor(options: QuantizedDenseOptions) {
    super(options);
    if (!Number.isInteger(options?.units) || options.units <= 0) {
      throw new DendriteError(`QuantizedDense: units must be a positive integer, got ${options?.units}`);
    }
    const inputScale = options.inputScale ?? 0;
    if (!Number.isFinite(inputScale) || inputScale < 0) throw new DendriteError(`QuantizedDense: inputScale must be a finite number >= 0, got ${inputScale}`);
    this.units = options.units;
    this.activation = options.activation ?? 'linear';
    this.activationFn = getActivation(this.activation, 'QuantizedDense');
    this.useBias = booleanOption(options.useBias, 'QuantizedDense', 'useBias', true);
    this.inputScale = inputScale;
  }

  /**
   * The int8 version of a built Dense layer: its kernel quantized per output channel, its bias kept
   * in float32. `inputScale` fixes the activation scale (from calibration); omitted: dynamic.
   */
  static async fromDense(dense: Dense, inputScale = 0): Promise<QuantizedDense> {
    if (dense.buildInputShape === null) throw new DendriteError(`QuantizedDense.fromDense: '${dense.name}' is not built yet`);
    const units = dense.kernel.shape[1];
    const layer = new QuantizedDense({ units, activation: dense.activation, useBias: dense.useBias, inputScale, name: dense.name });
    layer.build(dense.buildInputShape);
    await loadQuantizedKernel(layer, dense.kernel, dense.bias, true);
    return layer;
  }

  protected override onBuild(inputShape: InputShape): void {
    const shape = inputShape as readonly number[];
    const inFeatures = shape[shape.length - 1];
    if (shape.length < 2 || !Number.isInteger(inFeatures) || inFeatures <= 0) {
      throw new DendriteError(`${this.name}: QuantizedDense needs inputs [batch, ..., features] with known features, got [${shape.join(', ')}]`);
    }
    this.kernel = this.addBuffer('kernel', zeros([this.units, inFeatures], 'int32'));
    this.kernelScale = this.addBuffer('kernelScale', ones([this.units]));
    if (this.useBias) this.bias = this.addBuffer('bias', zeros([this.units]));
  }

  /** The state tensors stored as int8 (safetensors I8) when saved. */
  int8StateKeys(): string[] {
    return ['kernel'];
  }

  protected forward(x: Tensor): Tensor {
    return overRows(this.name, x, this.kernel.shape[1], this.units, (flat) => {
      const fused = this.activation === 'relu';
      const y = int8Linear(flat, this.kernel, this.kernelScale, { bias: this.bias, activation: fused ? 'relu' : 'linear', inputScale: this.inputScale });
      return fused ? y : this.activationFn(y);
    });
  }

  override outputShape(inputShape: InputShape): number[] {
    this.build(inputShape);
    return [...(inputShape as readonly number[]).slice(0, -1), this.units];
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), units: this.units, activation: this.activation, useBias: this.useBias, inputScale: this.inputScale };
  }
}
