import { DendriteError, mul, oneHot, sum, type Tensor } from '@dendrite/core';
import { binaryDecisions, isBinaryOutput, predictedClasses, targetClasses } from './classes.js';
import { checkExamples, RunningSumMetric } from './metric.js';

/** Options of {@link Precision}, {@link Recall} and {@link F1Score}. */
export interface ClassificationMetricOptions {
  /**
   * `binary` (default for one output column): scores for the positive class against 0/1 targets.
   * `macro` (default for `[N, C]` scores): the unweighted mean over classes, counting the classes that
   * occur in the targets or the predictions (as scikit-learn does); a class never predicted has
   * precision 0.
   */
  average?: 'binary' | 'macro';
  /** Binary outputs count as positive above this (default 0.5; use 0 for logits). */
  threshold?: number;
  name?: string;
}

type Quantity = 'precision' | 'recall' | 'f1';

/**
 * True positives, predicted positives and actual positives per class, summed on the device; the
 * three metrics differ only in how they combine them.
 */
abstract class ConfusionCountMetric extends RunningSumMetric {
  readonly name: string;
  private readonly average: 'binary' | 'macro' | undefined;
  private readonly threshold: number;

  constructor(private readonly quantity: Quantity, options: ClassificationMetricOptions) {
    super();
    // 'micro' or 'weighted' would silently compute the macro mean under the plain name.
    if (options.average !== undefined && options.average !== 'binary' && options.average !== 'macro') {
      throw new DendriteError(`${quantity}: average must be 'binary' or 'macro', got ${JSON.stringify(options.average)}`);
    }
    if (options.threshold !== undefined && !Number.isFinite(options.threshold)) throw new DendriteError(`${quantity}: threshold must be a finite number, got ${options.threshold}`);
    this.average = options.average;
    this.threshold = options.threshold ?? 0.5;
    this.name = options.name ?? (options.average === 'macro' ? `${quantity}_macro` : quantity);
  }

  update(output: Tensor, target: Tensor): void {
    checkExamples(this.name, output, target);
    const binary = this.average === 'binary' || (this.average === undefined && isBinaryOutput(output));
    this.accumulate(() => {
      let predicted: Tensor;
      let actual: Tensor;
      if (binary) {
        predicted = binaryDecisions(this.name, output, this.threshold, 'outputs');
        actual = binaryDecisions(this.name, target, 0.5, 'targets');
      } else {
        const classCount = output.shape[1];
        predicted = oneHot(predictedClasses(this.name, output), classCount);
        actual = oneHot(targetClasses(this.name, target, classCount), classCount);
      }
      return { truePositives: sum(mul(predicted, actual), 0), predicted: sum(predicted, 0), actual: sum(actual, 0) };
    });
  }

  async compute(): Promise<number> {
    const [truePositives, predicted, actual] = await this.read('truePositives', 'predicted', 'actual');
    if (!truePositives || !predicted || !actual) return 0;
    let total = 0;
    let classes = 0;
    for (let index = 0; index < truePositives.length; index++) {
      // In the binary case there is one "class" (the positive one), counted even when absent.
      if (truePositives.length > 1 && predicted[index] === 0 && actual[index] === 0) continue;
      classes++;
      total += combine(this.quantity, truePositives[index], predicted[index], actual[index]);
    }
    return classes === 0 ? 0 : total / classes;
  }
}

/** Precision, recall or F1 of one class from its counts; an empty denominator gives 0. */
function combine(quantity: Quantity, truePositives: number, predicted: number, actual: number): number {
  const precision = predicted === 0 ? 0 : truePositives / predicted;
  const recall = actual === 0 ? 0 : truePositives / actual;
  if (quantity === 'precision') return precision;
  if (quantity === 'recall') return recall;
  return precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
}

/**
 * Precision: of the examples predicted positive (or as a class), the fraction that are.
 *
 * @example
 * ```ts
 * const precision = new Precision();
 * precision.update(tensor([0.9, 0.8, 0.2]), tensor([1, 0, 1]));
 * await precision.compute(); // 0.5
 * ```
 */
export class Precision extends ConfusionCountMetric {
  constructor(options: ClassificationMetricOptions = {}) {
    super('precision', options);
  }
}

/**
 * Recall: of the positive examples (or those of a class), the fraction predicted so.
 *
 * @example
 * ```ts
 * const recall = new Recall({ average: 'macro' });
 * recall.update(logits, labels);
 * ```
 */
export class Recall extends ConfusionCountMetric {
  constructor(options: ClassificationMetricOptions = {}) {
    super('recall', options);
  }
}

/**
 * F1 score: the harmonic mean of precision and recall (per class, then averaged for `macro`).
 *
 * @example
 * ```ts
 * const f1 = new F1Score();
 * f1.update(tensor([0.9, 0.8, 0.2]), tensor([1, 0, 1]));
 * await f1.compute(); // 0.5
 * ```
 */
export class F1Score extends ConfusionCountMetric {
  constructor(options: ClassificationMetricOptions = {}) {
    super('f1', options);
  }
}
