import { check } from '../errors.js';
import { formatShape } from '../shape.js';
import { Tensor } from '../tensor.js';
import { moments } from './variance.js';
import { normalizeWith } from './normalize-with.js';
import { composite } from './util.js';

/** Options of {@link batchNorm}. */
export interface BatchNormOptions {
  /** Added to the variance before the square root; default 1e-5 (PyTorch). */
  epsilon?: number;
  /** Per-channel mean [C] (e.g. running statistics in eval mode). Omitted: the batch's. */
  mean?: Tensor;
  /** Per-channel variance [C]. Omitted: the batch's biased variance (as PyTorch normalizes with). */
  variance?: Tensor;
}

/**
 * Batch normalization (Ioffe & Szegedy 2015) over the last axis as channels (NHWC, [batch, features]):
 * (x − mean) / √(variance + ε) · gamma + beta. Without `mean`/`variance` the statistics are the
 * batch's, over every axis but the last, and gradients flow through them (training); given, they are
 * used as they are (evaluation with running statistics). gamma/beta are [C] or null.
 *
 * @example
 * ```ts
 * const train = batchNorm(x, gamma, beta);                                   // batch statistics
 * const test = batchNorm(x, gamma, beta, { mean: runningMean, variance: runningVar });
 * ```
 */
export function batchNorm(x: Tensor, gamma: Tensor | null, beta: Tensor | null, options: BatchNormOptions = {}): Tensor {
  check(x instanceof Tensor, 'batchNorm', () => `x must be a tensor, got ${x === null ? 'null' : typeof x}`);
  check(x.dtype === 'float32' && x.rank >= 2, 'batchNorm', () => `x must be float32 of rank ≥ 2 (channels last), got ${x.dtype} ${formatShape(x.shape)}`);
  const epsilon = options.epsilon ?? 1e-5;
  check(typeof epsilon === 'number' && Number.isFinite(epsilon) && epsilon >= 0, 'batchNorm', () => `epsilon must be a finite number ≥ 0, got ${epsilon}`);
  const channels = x.shape[x.rank - 1];
  const perChannel = (name: string, value: Tensor | null | undefined): void => {
    if (value === null || value === undefined) return;
    check(value instanceof Tensor && value.dtype === 'float32' && value.rank === 1 && value.shape[0] === channels, 'batchNorm', () =>
      `${name} must be a float32 [${channels}] tensor for x ${formatShape(x.shape)}, got ${value instanceof Tensor ? `${value.dtype} ${formatShape(value.shape)}` : typeof value}`);
  };
  perChannel('gamma', gamma);
  perChannel('beta', beta);
  perChannel('mean', options.mean);
  perChannel('variance', options.variance);
  check((options.mean === undefined) === (options.variance === undefined), 'batchNorm', () => 'give both mean and variance, or neither');
  check(options.mean !== undefined || x.size > channels, 'batchNorm', () =>
    `batch statistics need more than one value per channel, got x ${formatShape(x.shape)}`);
  return composite('batchNorm', () => {
    const statistics = options.mean !== undefined
      ? { mean: options.mean, variance: options.variance! }
      : moments(x, x.shape.slice(0, -1).map((_, axis) => axis));
    return normalizeWith(x, statistics, epsilon, gamma, beta);
  });
}
