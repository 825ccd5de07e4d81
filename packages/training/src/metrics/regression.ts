import { DendriteError, abs, reshape, square, sub, sum, type Tensor } from '@dendrite/core';
import { MeanMetric } from './metric.js';

/** The target in the output's shape (`[N]` targets against `[N, 1]` outputs), checked. */
function aligned(metric: string, output: Tensor, target: Tensor): Tensor {
  if (output.size !== target.size) throw new DendriteError(`${metric}: output [${output.shape}] and target [${target.shape}] have different sizes`);
  return target.shape.length === output.shape.length && target.shape.every((d, i) => d === output.shape[i]) ? target : reshape(target, output.shape);
}

/**
 * Mean absolute error over every element seen.
 *
 * @example
 * ```ts
 * const mae = new MeanAbsoluteError();
 * mae.update(tensor([1, 2, 3]), tensor([1, 3, 5]));
 * await mae.compute(); // 1
 * ```
 */
export class MeanAbsoluteError extends MeanMetric {
  readonly name: string;

  constructor(options: { name?: string } = {}) {
    super();
    this.name = options.name ?? 'mae';
  }

  protected batchSum(output: Tensor, target: Tensor): Tensor {
    return sum(abs(sub(output, aligned(this.name, output, target))));
  }

  protected batchCount(output: Tensor): number {
    return output.size;
  }
}

/**
 * Root mean squared error over every element seen (the root of the mean over all batches, not a mean
 * of per-batch roots).
 *
 * @example
 * ```ts
 * const rmse = new RootMeanSquaredError();
 * rmse.update(tensor([1, 2]), tensor([1, 4]));
 * await rmse.compute(); // √2
 * ```
 */
export class RootMeanSquaredError extends MeanMetric {
  readonly name: string;

  constructor(options: { name?: string } = {}) {
    super();
    this.name = options.name ?? 'rmse';
  }

  protected batchSum(output: Tensor, target: Tensor): Tensor {
    return sum(square(sub(output, aligned(this.name, output, target))));
  }

  protected batchCount(output: Tensor): number {
    return output.size;
  }

  protected override finish(mean: number): number {
    return Math.sqrt(mean);
  }
}
