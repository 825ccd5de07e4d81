// Activations as layers, and the names a layer's `activation` option accepts. The functions
// themselves are core ops (relu, sigmoid, tanh, leakyRelu, elu, selu, gelu, silu, softplus, softmax,
// logSoftmax); these layers wrap them so they can sit in a model and in a saved topology.

import {
  DendriteError, elu, gelu, leakyRelu, logSoftmax, relu, selu, sigmoid, silu, softmax, softplus, tanh,
  type FusedActivation, type Tensor,
} from '@dendrite/core';
import { Layer, type LayerOptions } from './layer.js';

/** The activation names layers accept (Dense's `activation`, the Activation layer). */
export type ActivationName =
  | 'linear' | 'relu' | 'sigmoid' | 'tanh' | 'leakyRelu' | 'elu' | 'selu' | 'gelu' | 'geluTanh'
  | 'silu' | 'softplus' | 'softmax' | 'logSoftmax';

const FUNCTIONS: Record<ActivationName, (x: Tensor) => Tensor> = {
  linear: (x) => x,
  relu,
  sigmoid,
  tanh,
  leakyRelu: (x) => leakyRelu(x),
  elu: (x) => elu(x),
  selu,
  gelu: (x) => gelu(x),
  geluTanh: (x) => gelu(x, { approximate: 'tanh' }),
  silu,
  softplus,
  softmax: (x) => softmax(x, -1),
  logSoftmax: (x) => logSoftmax(x, -1),
};

/** The function for an activation name (default parameters; the layers below take options). */
export function getActivation(name: ActivationName, op: string): (x: Tensor) => Tensor {
  const found = Object.prototype.hasOwnProperty.call(FUNCTIONS, name) ? FUNCTIONS[name] : undefined;
  if (!found) throw new DendriteError(`${op}: unknown activation ${JSON.stringify(name)} (known: ${Object.keys(FUNCTIONS).join(', ')})`);
  return found;
}

/** Whether core's `linear` can fuse this activation into the matmul. */
export function isFusedActivation(name: ActivationName): name is FusedActivation & ActivationName {
  return name === 'linear' || name === 'relu' || name === 'sigmoid' || name === 'tanh';
}

/**
 * Any named activation as a layer.
 *
 * @example
 * ```ts
 * const act = new Activation({ activation: 'gelu' });
 * act.apply(tensor([-1, 0, 1]));
 * ```
 */
export class Activation extends Layer {
  /** The options this layer takes besides name, seed and trainable (any other is refused). */
  static override readonly optionNames: readonly string[] = ['activation'];

  readonly activation: ActivationName;
  private readonly fn: (x: Tensor) => Tensor;

  constructor(options: LayerOptions & { activation: ActivationName }) {
    super(options);
    this.activation = options.activation;
    this.fn = getActivation(options.activation, 'Activation');
  }

  protected forward(x: Tensor): Tensor {
    return this.fn(x);
  }

  override outputShape(inputShape: readonly number[]): number[] {
    return [...inputShape];
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), activation: this.activation };
  }
}

/** A layer that applies an elementwise function and keeps the shape. */
abstract class ElementwiseLayer extends Layer {
  override outputShape(inputShape: readonly number[]): number[] {
    return [...inputShape];
  }
}

/** max(0, x). Range [0, ∞). */
export class ReLU extends ElementwiseLayer {
  /** The options this layer takes besides name, seed and trainable (any other is refused). */
  static override readonly optionNames: readonly string[] = [];

  protected forward(x: Tensor): Tensor {
    return relu(x);
  }
}

/** 1 / (1 + e^-x). Range (0, 1). */
export class Sigmoid extends ElementwiseLayer {
  /** The options this layer takes besides name, seed and trainable (any other is refused). */
  static override readonly optionNames: readonly string[] = [];

  protected forward(x: Tensor): Tensor {
    return sigmoid(x);
  }
}

/** Hyperbolic tangent. Range (-1, 1). */
export class Tanh extends ElementwiseLayer {
  /** The options this layer takes besides name, seed and trainable (any other is refused). */
  static override readonly optionNames: readonly string[] = [];

  protected forward(x: Tensor): Tensor {
    return tanh(x);
  }
}

/** x for x > 0, alpha·x otherwise (alpha 0.01 by default, as PyTorch). Range (-∞, ∞). */
export class LeakyReLU extends ElementwiseLayer {
  /** The options this layer takes besides name, seed and trainable (any other is refused). */
  static override readonly optionNames: readonly string[] = ['alpha'];

  readonly alpha: number;
  constructor(options: LayerOptions & { alpha?: number } = {}) {
    super(options);
    this.alpha = checkFinite(options.alpha ?? 0.01, 'LeakyReLU', 'alpha');
  }
  protected forward(x: Tensor): Tensor {
    return leakyRelu(x, this.alpha);
  }
  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), alpha: this.alpha };
  }
}

/** x for x > 0, alpha·(e^x − 1) otherwise. Range (-alpha, ∞). */
export class ELU extends ElementwiseLayer {
  /** The options this layer takes besides name, seed and trainable (any other is refused). */
  static override readonly optionNames: readonly string[] = ['alpha'];

  readonly alpha: number;
  constructor(options: LayerOptions & { alpha?: number } = {}) {
    super(options);
    this.alpha = checkFinite(options.alpha ?? 1, 'ELU', 'alpha');
  }
  protected forward(x: Tensor): Tensor {
    return elu(x, this.alpha);
  }
  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), alpha: this.alpha };
  }
}

/** Scaled ELU (self-normalizing). Range (≈ -1.758, ∞). */
export class SELU extends ElementwiseLayer {
  /** The options this layer takes besides name, seed and trainable (any other is refused). */
  static override readonly optionNames: readonly string[] = [];

  protected forward(x: Tensor): Tensor {
    return selu(x);
  }
}

/** Gaussian error linear unit, exact or with `approximate: 'tanh'`. Range (≈ -0.17, ∞). */
export class GELU extends ElementwiseLayer {
  /** The options this layer takes besides name, seed and trainable (any other is refused). */
  static override readonly optionNames: readonly string[] = ['approximate'];

  readonly approximate: 'none' | 'tanh';
  constructor(options: LayerOptions & { approximate?: 'none' | 'tanh' } = {}) {
    super(options);
    this.approximate = options.approximate ?? 'none';
    if (this.approximate !== 'none' && this.approximate !== 'tanh') {
      throw new DendriteError(`GELU: approximate must be 'none' or 'tanh', got ${JSON.stringify(options.approximate)}`);
    }
  }
  protected forward(x: Tensor): Tensor {
    return gelu(x, { approximate: this.approximate });
  }
  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), approximate: this.approximate };
  }
}

/** x·σ(x) (swish). Range (≈ -0.278, ∞). */
export class SiLU extends ElementwiseLayer {
  /** The options this layer takes besides name, seed and trainable (any other is refused). */
  static override readonly optionNames: readonly string[] = [];

  protected forward(x: Tensor): Tensor {
    return silu(x);
  }
}

/** log(1 + e^x). Range (0, ∞). */
export class Softplus extends ElementwiseLayer {
  /** The options this layer takes besides name, seed and trainable (any other is refused). */
  static override readonly optionNames: readonly string[] = [];

  protected forward(x: Tensor): Tensor {
    return softplus(x);
  }
}

/** e^x / Σ e^x along `axis` (default -1). Range (0, 1), summing to 1. */
export class Softmax extends ElementwiseLayer {
  /** The options this layer takes besides name, seed and trainable (any other is refused). */
  static override readonly optionNames: readonly string[] = ['axis'];

  readonly axis: number;
  constructor(options: LayerOptions & { axis?: number } = {}) {
    super(options);
    this.axis = checkAxis(options.axis ?? -1, new.target.name);
  }
  protected forward(x: Tensor): Tensor {
    return softmax(x, this.axis);
  }
  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), axis: this.axis };
  }
}

/** log(softmax(x)) along `axis` (default -1), computed stably. Range (-∞, 0]. */
export class LogSoftmax extends ElementwiseLayer {
  /** The options this layer takes besides name, seed and trainable (any other is refused). */
  static override readonly optionNames: readonly string[] = ['axis'];

  readonly axis: number;
  constructor(options: LayerOptions & { axis?: number } = {}) {
    super(options);
    this.axis = checkAxis(options.axis ?? -1, new.target.name);
  }
  protected forward(x: Tensor): Tensor {
    return logSoftmax(x, this.axis);
  }
  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), axis: this.axis };
  }
}

function checkAxis(axis: number, op: string): number {
  if (!Number.isInteger(axis)) throw new DendriteError(`${op}: axis must be an integer, got ${JSON.stringify(axis)}`);
  return axis;
}

function checkFinite(value: number, op: string, field: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) throw new DendriteError(`${op}: ${field} must be a finite number, got ${value}`);
  return value;
}
