import { DendriteError, reshape, type Tensor } from '@dendrite/core';
import { Layer, type LayerOptions } from './layer.js';

/**
 * Keep the batch axis and flatten the rest: [N, d1, d2, …] → [N, d1·d2·…]. A view, no copy.
 *
 * @example
 * ```ts
 * new Flatten().apply(features); // [N, 7, 7, 64] -> [N, 3136]
 * ```
 */
export class Flatten extends Layer {
  /** The options this layer takes besides name, seed and trainable (any other is refused). */
  static override readonly optionNames: readonly string[] = [];

  protected forward(x: Tensor): Tensor {
    if (x.rank < 1) throw new DendriteError(`${this.name}: needs a batch axis, got a scalar`);
    return reshape(x, [x.shape[0], x.size / Math.max(1, x.shape[0]) || 0]);
  }
  override outputShape(inputShape: readonly number[]): number[] {
    return [inputShape[0], inputShape.slice(1).reduce((a, b) => a * b, 1)];
  }
}

/**
 * Reshape each example to `targetShape` (the batch axis is kept; one entry may be -1).
 *
 * @example
 * ```ts
 * new Reshape({ targetShape: [28, 28, 1] }).apply(pixels); // [N, 784] -> [N, 28, 28, 1]
 * ```
 */
export class Reshape extends Layer {
  /** The options this layer takes besides name, seed and trainable (any other is refused). */
  static override readonly optionNames: readonly string[] = ['targetShape'];

  readonly targetShape: number[];
  constructor(options: LayerOptions & { targetShape: readonly number[] }) {
    super(options);
    const target = options?.targetShape;
    if (!Array.isArray(target) || target.some((dim) => !Number.isInteger(dim) || (dim <= 0 && dim !== -1)) || target.filter((dim) => dim === -1).length > 1) {
      throw new DendriteError(`Reshape: targetShape must be positive integers with at most one -1, got ${JSON.stringify(target)}`);
    }
    this.targetShape = [...target];
  }
  private resolve(inputShape: readonly number[]): number[] {
    const perExample = inputShape.slice(1).reduce((a, b) => a * b, 1);
    const known = this.targetShape.filter((dim) => dim !== -1).reduce((a, b) => a * b, 1);
    const resolved = this.targetShape.map((dim) => (dim === -1 ? perExample / known : dim));
    if (resolved.some((dim) => !Number.isInteger(dim)) || resolved.reduce((a, b) => a * b, 1) !== perExample) {
      throw new DendriteError(`${this.name}: cannot reshape examples of shape [${inputShape.slice(1).join(', ')}] (${perExample} values) to [${this.targetShape.join(', ')}]`);
    }
    return resolved;
  }
  protected forward(x: Tensor): Tensor {
    return reshape(x, [x.shape[0], ...this.resolve(x.shape)]);
  }
  override outputShape(inputShape: readonly number[]): number[] {
    return [inputShape[0], ...this.resolve(inputShape)];
  }
  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), targetShape: this.targetShape };
  }
}
