import { DendriteError, equal, greater, less, mul, oneHot, sum, type Tensor } from '@dendrite/core';
import { binaryDecisions, isBinaryOutput, predictedClasses, targetClasses } from './classes.js';
import { checkExamples, MeanMetric } from './metric.js';

/** Options of {@link Accuracy}. */
export interface AccuracyOptions {
  /** Binary outputs (one column) count as positive above this (default 0.5; use 0 for logits). */
  threshold?: number;
  name?: string;
}

/**
 * The fraction of examples classified correctly. Multi-class: argmax of `[N, C]` scores against class
 * indices or one-hot targets. Binary: one output column above `threshold` against 0/1 targets.
 *
 * @example
 * ```ts
 * const accuracy = new Accuracy();
 * accuracy.update(tensor([[2, 1], [0, 3]]), tensor([0, 0], [2], 'int32'));
 * await accuracy.compute(); // 0.5
 * ```
 */
export class Accuracy extends MeanMetric {
  readonly name: string;
  private readonly threshold: number;

  constructor(options: AccuracyOptions = {}) {
    super();
    this.name = options.name ?? 'accuracy';
    this.threshold = options.threshold ?? 0.5;
  }

  /** Examples classified correctly. */
  protected batchSum(output: Tensor, target: Tensor): Tensor {
    checkExamples(this.name, output, target);
    if (isBinaryOutput(output)) {
      const predicted = binaryDecisions(this.name, output, this.threshold, 'outputs');
      const truth = binaryDecisions(this.name, target, 0.5, 'targets');
      return sum(equal(predicted, truth));
    }
    const classCount = output.shape[1];
    return sum(equal(predictedClasses(this.name, output), targetClasses(this.name, target, classCount)));
  }

  protected batchCount(output: Tensor): number {
    return output.shape[0];
  }
}

/**
 * The fraction of examples whose true class is among the `k` highest scores. Ties with the true
 * class's score count in its favour (the true class is "in the top k" when fewer than k classes score
 * strictly higher).
 *
 * @example
 * ```ts
 * const top2 = new TopKAccuracy(2);
 * top2.update(tensor([[0.5, 0.3, 0.2]]), tensor([1], [1], 'int32'));
 * await top2.compute(); // 1
 * ```
 */
export class TopKAccuracy extends MeanMetric {
  readonly name: string;

  constructor(readonly k: number, options: { name?: string } = {}) {
    super();
    this.name = options.name ?? `top${k}_accuracy`;
    if (!Number.isInteger(k) || k < 1) throw new DendriteError(`TopKAccuracy: k must be a positive integer, got ${k}`);
  }

  /** Examples whose true class is among the k highest scores. */
  protected batchSum(output: Tensor, target: Tensor): Tensor {
    checkExamples(this.name, output, target);
    if (output.rank !== 2) throw new DendriteError(`${this.name}: expected scores of shape [examples, classes], got [${output.shape}]`);
    const classCount = output.shape[1];
    // With k ≥ the class count every example would count as correct.
    if (this.k >= classCount) throw new DendriteError(`${this.name}: k = ${this.k} must be less than the ${classCount} classes of the scores [${output.shape}] (every example would count as correct)`);
    const truth = oneHot(targetClasses(this.name, target, classCount), classCount);
    const trueScore = sum(mul(output, truth), -1, true);
    const higher = sum(greater(output, trueScore), -1);
    return sum(less(higher, this.k));
  }

  protected batchCount(output: Tensor): number {
    return output.shape[0];
  }
}
