import { DendriteError, add, keep, noGrad, tidy, type Tensor } from '@dendrite/core';

/**
 * A metric accumulated over batches. `update` runs every step and keeps running sums as tensors on
 * the device (no read, so a GPU never stalls); `compute` reads them once per logging interval.
 *
 * @example
 * ```ts
 * const accuracy = new Accuracy();
 * accuracy.update(logits, labels);
 * await accuracy.compute(); // 0.75
 * accuracy.reset();
 * ```
 */
export interface Metric<O = Tensor, T = Tensor> {
  readonly name: string;
  /** Add one batch's model output and targets to the running state (no read-back). */
  update(output: O, target: T): void;
  /** The metric over everything since the last reset (reads the running state once). */
  compute(): Promise<number>;
  /** Start over (the trainer resets every epoch). */
  reset(): void;
}

/**
 * Base of the built-in metrics: named running sums (tensors), added to under `noGrad` and `tidy`, so
 * a step's intermediate tensors are freed and memory stays flat.
 *
 * @example
 * ```ts
 * class MeanOutput extends RunningSumMetric {
 *   readonly name = 'mean_output';
 *   private count = 0;
 *   update(output: Tensor): void {
 *     this.accumulate(() => ({ total: sum(output) }));
 *     this.count += output.size;
 *   }
 *   async compute(): Promise<number> {
 *     const [total] = await this.read('total');
 *     return total ? total[0] / this.count : 0;
 *   }
 *   override reset(): void { super.reset(); this.count = 0; }
 * }
 * ```
 */
export abstract class RunningSumMetric implements Metric {
  abstract readonly name: string;
  private readonly sums = new Map<string, Tensor>();

  /** Add one batch's model output and targets to the running sums. */
  abstract update(output: Tensor, target: Tensor): void;
  /** The metric from the running sums (one read). */
  abstract compute(): Promise<number>;

  /** Dispose the running sums and start over. */
  reset(): void {
    for (const sum of this.sums.values()) sum.dispose();
    this.sums.clear();
  }

  /** Add batch values (computed by `values`) to the running sums of the same names. */
  protected accumulate(values: () => Record<string, Tensor>): void {
    noGrad(() => tidy(() => {
      for (const [key, value] of Object.entries(values())) {
        const previous = this.sums.get(key);
        this.sums.set(key, keep(previous ? add(previous, value) : value));
        previous?.dispose();
      }
    }));
  }

  /** The running sums read to the host (zeros-free: a sum never updated reads as undefined). */
  protected async read(...keys: string[]): Promise<Array<Float32Array | undefined>> {
    return Promise.all(keys.map(async (key) => {
      const sum = this.sums.get(key);
      return sum ? ((await sum.data()) as Float32Array) : undefined;
    }));
  }
}

/**
 * @internal A running sum over a running count, read as `finish(sum / count)` (0 before any update):
 * accuracies count examples, the regression errors elements.
 */
export abstract class MeanMetric extends RunningSumMetric {
  private count = 0;

  /** One batch's sum (checks the shapes; runs under `noGrad` and `tidy`). */
  protected abstract batchSum(output: Tensor, target: Tensor): Tensor;
  /** How many examples or elements the batch adds to the count. */
  protected abstract batchCount(output: Tensor): number;
  /** The metric from the mean (the mean itself unless overridden). */
  protected finish(mean: number): number {
    return mean;
  }

  update(output: Tensor, target: Tensor): void {
    this.accumulate(() => ({ sum: this.batchSum(output, target) }));
    this.count += this.batchCount(output);
  }

  async compute(): Promise<number> {
    const [sum] = await this.read('sum');
    return sum ? this.finish(sum[0] / this.count) : 0;
  }

  override reset(): void {
    super.reset();
    this.count = 0;
  }
}

/** Checks that output and target have the same number of examples. */
export function checkExamples(metric: string, output: Tensor, target: Tensor): void {
  if (output.rank === 0 || target.rank === 0 || output.shape[0] !== target.shape[0]) {
    throw new DendriteError(`${metric}: output [${output.shape}] and target [${target.shape}] must have the same number of examples (first axis)`);
  }
}
