import { DendriteError, add, div, matmul, mul, sqrt, sum, type Tensor } from '@dendrite/core';
import { overRows } from './dense.js';
import { getInitializer } from './initializers.js';
import { Layer, type InputShape, type LayerOptions } from './layer.js';

export interface CosineDenseOptions extends LayerOptions {
  /** Output features (classes). */
  units: number;
  /**
   * The logits are `scale` times a cosine, so they lie in [-scale, scale] (default 10): a softmax over
   * cosines alone (at most 1 apart) could never become confident.
   */
  scale?: number;
}

// Added to squared norms before the square root: a zero row (a dead ReLU feature vector) maps to zero, not NaN.
const NORM_EPSILON = 1e-12;

/**
 * A cosine-similarity classifier head (the "Baseline++" head of Chen et al., 2019, and the normalized head
 * that weight imprinting of Qi et al., 2018, fills in): `scale · (x / ‖x‖) · (W / ‖W‖_columns)`, one logit per
 * unit, each the scaled cosine between the input and that unit's weight vector (a column of `kernel
 * [in, units]`); no bias. Because only directions count, a class is a prototype direction in feature space,
 * which is what lets a few examples (or their mean: see imprinting) define it. Inputs of rank > 2 are a
 * batch of vectors along the last axis, as for `Dense`.
 *
 * @example
 * ```ts
 * const head = new CosineDense({ units: 5, scale: 10, seed: 1 });
 * const logits = head.apply(randomNormal([32, 1568]));   // [32, 5], each in [-10, 10]
 * ```
 */
export class CosineDense extends Layer {
  /** The options this layer takes besides name, seed and trainable (any other is refused). */
  static override readonly optionNames: readonly string[] = ['units', 'scale'];

  readonly units: number;
  readonly scale: number;
  kernel!: Tensor;

  constructor(options: CosineDenseOptions) {
    super(options);
    if (!Number.isInteger(options?.units) || options.units <= 0) {
      throw new DendriteError(`CosineDense: units must be a positive integer, got ${options?.units}`);
    }
    const scale = options.scale ?? 10;
    if (!Number.isFinite(scale) || scale <= 0) throw new DendriteError(`CosineDense: scale must be a finite number > 0, got ${options.scale}`);
    this.units = options.units;
    this.scale = scale;
  }

  protected override onBuild(inputShape: InputShape): void {
    const shape = inputShape as readonly number[];
    const inFeatures = shape[shape.length - 1];
    if (shape.length < 2 || !Number.isInteger(inFeatures) || inFeatures <= 0) {
      throw new DendriteError(`${this.name}: CosineDense needs inputs [batch, ..., features] with known features, got [${shape.join(', ')}]`);
    }
    this.kernel = this.addParameter('kernel', [inFeatures, this.units], getInitializer('glorotUniform', 'CosineDense'));
  }

  protected forward(x: Tensor): Tensor {
    return overRows(this.name, x, this.kernel.shape[0], this.units, (rows) => {
      const unitRows = div(rows, sqrt(add(sum(mul(rows, rows), 1, true), NORM_EPSILON)));
      const unitColumns = div(this.kernel, sqrt(add(sum(mul(this.kernel, this.kernel), 0, true), NORM_EPSILON)));
      return mul(matmul(unitRows, unitColumns), this.scale);
    });
  }

  override outputShape(inputShape: InputShape): number[] {
    this.build(inputShape);
    return [...(inputShape as readonly number[]).slice(0, -1), this.units];
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), units: this.units, scale: this.scale };
  }
}
