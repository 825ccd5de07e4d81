import { add, keep, mul, tidy, type Tensor } from '@dendrite/core';

/**
 * Sums gradients over `count` batches and hands back their mean, so N small batches take the step one
 * batch N times larger would (for mean losses). Holds its sums as kept tensors until flushed.
 */
export class GradientAccumulator {
  private sums: Tensor[] | null = null;
  private added = 0;

  constructor(readonly count: number) {}

  /** Batches added since the last flush. */
  get pending(): number {
    return this.added;
  }

  /** Add one batch's gradients (freed here); returns the means when `count` batches are in, else null. */
  add(gradients: Tensor[]): Tensor[] | null {
    const previous = this.sums;
    this.sums = gradients.map((gradient, index) => keep(previous ? tidy(() => add(previous[index], gradient)) : gradient));
    if (previous) for (const tensor of [...previous, ...gradients]) tensor.dispose();
    this.added++;
    return this.added >= this.count ? this.flush() : null;
  }

  /** The mean of what was added (null when nothing was); the sums are freed. */
  flush(): Tensor[] | null {
    if (!this.sums) return null;
    const sums = this.sums;
    const count = this.added;
    this.sums = null;
    this.added = 0;
    const means = tidy(() => sums.map((sum) => mul(sum, 1 / count)));
    for (const sum of sums) sum.dispose();
    return means;
  }

  dispose(): void {
    for (const tensor of this.sums ?? []) tensor.dispose();
    this.sums = null;
    this.added = 0;
  }
}
