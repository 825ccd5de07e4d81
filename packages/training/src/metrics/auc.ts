import { DendriteError, cast, clip, floor, minimum, mul, oneHot, reshape, sigmoid, sub, sum, type Tensor } from '@dendrite/core';
import { binaryDecisions, isBinaryOutput } from './classes.js';
import { checkExamples, RunningSumMetric } from './metric.js';

/** Options of {@link AUC}. */
export interface AUCOptions {
  /** Histogram bins over [0, 1] (default 1000): the resolution of the scores. */
  bins?: number;
  /** Apply a sigmoid to the outputs first (they are logits). Default false: outputs are probabilities. */
  fromLogits?: boolean;
  name?: string;
}

/**
 * Area under the ROC curve of binary scores. On the device it keeps two histograms (positives and
 * negatives per score bin over [0, 1]); `compute` reads them once and returns the Mann–Whitney
 * statistic, counting a positive and a negative in the same bin as a tie (one half). So the value is
 * exact when no positive shares a bin with a negative — with the default 1000 bins, when their scores
 * differ by more than 0.001 — and otherwise off by at most the share of such pairs / 2. Undefined
 * (NaN) until both classes have been seen.
 *
 * @example
 * ```ts
 * const auc = new AUC();
 * auc.update(tensor([0.1, 0.4, 0.35, 0.8]), tensor([0, 0, 1, 1]));
 * await auc.compute(); // 0.75
 * ```
 */
export class AUC extends RunningSumMetric {
  readonly name: string;
  private readonly bins: number;
  private readonly fromLogits: boolean;

  constructor(options: AUCOptions = {}) {
    super();
    this.name = options.name ?? 'auc';
    this.bins = options.bins ?? 1000;
    this.fromLogits = options.fromLogits ?? false;
    if (!Number.isInteger(this.bins) || this.bins < 2) throw new DendriteError(`AUC: bins must be an integer ≥ 2, got ${options.bins}`);
  }

  update(output: Tensor, target: Tensor): void {
    checkExamples(this.name, output, target);
    if (!isBinaryOutput(output)) throw new DendriteError(`${this.name}: AUC is for binary scores of shape [examples] or [examples, 1], got [${output.shape}]`);
    this.accumulate(() => {
      const flat = reshape(output, [output.shape[0]]);
      const scores = clip(this.fromLogits ? sigmoid(flat) : flat, 0, 1);
      const bin = cast(minimum(floor(mul(scores, this.bins)), this.bins - 1), 'int32');
      const perBin = oneHot(bin, this.bins);
      const positive = reshape(binaryDecisions(this.name, target, 0.5, 'targets'), [output.shape[0], 1]);
      return { positives: sum(mul(perBin, positive), 0), negatives: sum(mul(perBin, sub(1, positive)), 0) };
    });
  }

  async compute(): Promise<number> {
    const [positives, negatives] = await this.read('positives', 'negatives');
    if (!positives || !negatives) return Number.NaN;
    let positivesAbove = 0;
    let pairsRankedRight = 0;
    let positiveCount = 0;
    let negativeCount = 0;
    for (let bin = this.bins - 1; bin >= 0; bin--) {
      pairsRankedRight += negatives[bin] * (positivesAbove + positives[bin] / 2);
      positivesAbove += positives[bin];
      positiveCount += positives[bin];
      negativeCount += negatives[bin];
    }
    return positiveCount === 0 || negativeCount === 0 ? Number.NaN : pairsRankedRight / (positiveCount * negativeCount);
  }
}
