import { DendriteError, abs, reshape, square, sub, sum, type Tensor } from '@dendrite/core';
import { RunningSumMetric } from './metric.js';

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
export class MeanAbsoluteError extends RunningSumMetric {
  readonly name: string;
  private elements = 0;

  constructor(options: { name?: string } = {}) {
    super();
    this.name = options.name ?? 'mae';
  }

  update(output: Tensor, target: Tensor): void {
    this.accumulate(() => ({ absolute: sum(abs(sub(output, aligned(this.name, output, target)))) }));
    this.elements += output.size;
  }

  async compute(): Promise<number> {
    const [absolute] = await this.read('absolute');
    return absolute ? absolute[0] / this.elements : 0;
  }

  override reset(): void {
    super.reset();
    this.elements = 0;
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
export class RootMeanSquaredError extends RunningSumMetric {
  readonly name: string;
  private elements = 0;

  constructor(options: { name?: string } = {}) {
    super();
    this.name = options.name ?? 'rmse';
  }

  update(output: Tensor, target: Tensor): void {
    this.accumulate(() => ({ squared: sum(square(sub(output, aligned(this.name, output, target)))) }));
    this.elements += output.size;
  }

  async compute(): Promise<number> {
    const [squared] = await this.read('squared');
    return squared ? Math.sqrt(squared[0] / this.elements) : 0;
  }

  override reset(): void {
    super.reset();
    this.elements = 0;
  }
}
