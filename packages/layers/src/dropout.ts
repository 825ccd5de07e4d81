import { DendriteError, dropout, type Tensor } from '@dendrite/core';
import { Layer, type LayerOptions } from './layer.js';

/**
 * Inverted dropout: in training mode, zero each element with probability `rate` and scale the rest
 * by 1/(1 − rate), with a fresh mask on every call drawn from the layer's own seeded generator; the
 * identity in eval mode.
 *
 * @example
 * ```ts
 * const drop = new Dropout({ rate: 0.5, seed: 1 });
 * drop.apply(x);          // training: about half the values zeroed, the rest doubled
 * drop.eval().apply(x);   // x itself
 * ```
 */
export class Dropout extends Layer {
  /** The options this layer takes besides name, seed and trainable (any other is refused). */
  static override readonly optionNames: readonly string[] = ['rate'];

  readonly rate: number;
  constructor(options: LayerOptions & { rate: number }) {
    super(options);
    const rate = options?.rate;
    if (typeof rate !== 'number' || !(rate >= 0 && rate < 1)) throw new DendriteError(`Dropout: rate must be in [0, 1), got ${rate}`);
    this.rate = rate;
  }
  protected forward(x: Tensor): Tensor {
    if (!this.training || this.rate === 0) return x;
    return dropout(x, this.rate, this.random.nextUint32());
  }
  override outputShape(inputShape: readonly number[]): number[] {
    return [...inputShape];
  }
  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), rate: this.rate };
  }
}
