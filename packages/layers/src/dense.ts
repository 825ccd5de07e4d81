import { DendriteError, linear, reshape, type Tensor } from '@dendrite/core';
import { getActivation, isFusedActivation, type ActivationName } from './activations.js';
import { getInitializer, initializerName, type Initializer, type InitializerName } from './initializers.js';
import { Layer, type InputShape, type LayerOptions } from './layer.js';
import { booleanOption } from './options.js';

export interface DenseOptions extends LayerOptions {
  /** Output features. */
  units: number;
  /** Applied after the affine map (default 'linear'); relu/sigmoid/tanh fuse into the matmul kernel. */
  activation?: ActivationName;
  /** Whether to add a bias (default true). */
  useBias?: boolean;
  /** Default 'glorotUniform' (Keras). */
  kernelInitializer?: InitializerName | Initializer;
  /** Default 'zeros'. */
  biasInitializer?: InitializerName | Initializer;
}

/**
 * A fully connected layer: activation(x · kernel + bias) with `kernel [in, out]` and `bias [out]`,
 * one fused `linear` op. Inputs of rank > 2 are treated as a batch of vectors along the last axis.
 *
 * @example
 * ```ts
 * const hidden = new Dense({ units: 64, activation: 'relu', seed: 1 });
 * const y = hidden.apply(randomNormal([32, 784]));   // [32, 64]; kernel [784, 64]
 * ```
 */
export class Dense extends Layer {
  /** The options this layer takes besides name, seed and trainable (any other is refused). */
  static override readonly optionNames: readonly string[] = ['units', 'activation', 'useBias', 'kernelInitializer', 'biasInitializer'];

  readonly units: number;
  readonly activation: ActivationName;
  readonly useBias: boolean;
  private readonly kernelInitializer: InitializerName | Initializer;
  private readonly biasInitializer: InitializerName | Initializer;
  private readonly activationFn: (x: Tensor) => Tensor;
  kernel!: Tensor;
  bias: Tensor | null = null;

  constructor(options: DenseOptions) {
    super(options);
    if (!Number.isInteger(options?.units) || options.units <= 0) {
      throw new DendriteError(`Dense: units must be a positive integer, got ${options?.units}`);
    }
    this.units = options.units;
    this.activation = options.activation ?? 'linear';
    this.activationFn = getActivation(this.activation, 'Dense');
    this.useBias = booleanOption(options.useBias, 'Dense', 'useBias', true);
    this.kernelInitializer = options.kernelInitializer ?? 'glorotUniform';
    this.biasInitializer = options.biasInitializer ?? 'zeros';
    getInitializer(this.kernelInitializer, 'Dense');
    getInitializer(this.biasInitializer, 'Dense');
  }

  protected override onBuild(inputShape: InputShape): void {
    const shape = inputShape as readonly number[];
    const inFeatures = shape[shape.length - 1];
    if (shape.length < 2 || !Number.isInteger(inFeatures) || inFeatures <= 0) {
      throw new DendriteError(`${this.name}: Dense needs inputs [batch, ..., features] with known features, got [${shape.join(', ')}]`);
    }
    this.kernel = this.addParameter('kernel', [inFeatures, this.units], getInitializer(this.kernelInitializer, 'Dense'));
    if (this.useBias) this.bias = this.addParameter('bias', [this.units], getInitializer(this.biasInitializer, 'Dense'));
  }

  protected forward(x: Tensor): Tensor {
    return overRows(this.name, x, this.kernel.shape[0], this.units, (flat) => {
      const fused = isFusedActivation(this.activation);
      const y = linear(flat, this.kernel, { bias: this.bias, activation: fused ? this.activation as 'linear' : 'linear' });
      return fused ? y : this.activationFn(y);
    });
  }

  override outputShape(inputShape: InputShape): number[] {
    this.build(inputShape);
    return [...(inputShape as readonly number[]).slice(0, -1), this.units];
  }

  override getConfig(): Record<string, unknown> {
    return {
      ...super.getConfig(), units: this.units, activation: this.activation, useBias: this.useBias,
      ...configInitializer('kernelInitializer', this.kernelInitializer),
      ...configInitializer('biasInitializer', this.biasInitializer),
    };
  }
}

/**
 * `fn` ([rows, inFeatures] → [rows, outFeatures]) applied to `x [batch, ..., inFeatures]` as a batch of
 * vectors along its last axis (Dense and QuantizedDense); an input of another shape is refused, naming `layer`.
 */
export function overRows(layer: string, x: Tensor, inFeatures: number, outFeatures: number, fn: (flat: Tensor) => Tensor): Tensor {
  if (x.rank < 2 || x.shape[x.rank - 1] !== inFeatures) {
    throw new DendriteError(`${layer}: expected inputs [batch, ..., ${inFeatures}], got [${x.shape.join(', ')}]`);
  }
  if (x.rank === 2) return fn(x);
  return reshape(fn(reshape(x, [-1, inFeatures])), [...x.shape.slice(0, -1), outFeatures]);
}

/** An initializer entry for getConfig: its name, or nothing for a custom function (weights are saved anyway). */
export function configInitializer(key: string, initializer: InitializerName | Initializer): Record<string, string> {
  const name = initializerName(initializer);
  return name === null ? {} : { [key]: name };
}
