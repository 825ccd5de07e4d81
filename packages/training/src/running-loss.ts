import { add, keep, mul, tidy, type Tensor } from '@dendrite/core';

/**
 * The mean loss over the examples of an epoch (or an evaluation), summed on the device: each batch's
 * mean loss weighted by its number of examples (1 when unknown), read only when asked.
 */
export class RunningLoss {
  private sum: Tensor | null = null;
  private weights = 0;

  /** Add a batch's mean loss (the tensor stays the caller's). */
  add(loss: Tensor, examples: number | undefined): void {
    const weight = examples ?? 1;
    const previous = this.sum;
    this.sum = keep(tidy(() => (previous ? add(previous, mul(loss, weight)) : mul(loss, weight))));
    previous?.dispose();
    this.weights += weight;
  }

  /** The mean so far (NaN before the first batch). */
  async read(): Promise<number> {
    if (!this.sum) return Number.NaN;
    const [total] = await this.sum.data();
    return total / this.weights;
  }

  dispose(): void {
    this.sum?.dispose();
    this.sum = null;
    this.weights = 0;
  }
}
