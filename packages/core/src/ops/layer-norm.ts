import { check } from '../errors.js';
import { formatShape, normalizeAxes, sizeOf } from '../shape.js';
import { Tensor } from '../tensor.js';
import { reshape } from './reshape.js';
import { moments } from './variance.js';
import { normalizeWith } from './normalize-with.js';
import { composite } from './util.js';

/** Options of {@link layerNorm}. */
export interface LayerNormOptions {
  /** The axis (or axes) normalized over, per example; default -1 (the features). */
  axis?: number | readonly number[];
  /** Added to the variance before the square root; default 1e-5 (PyTorch). */
  epsilon?: number;
}

/**
 * Layer normalization (Ba et al. 2016): (x − mean) / √(var + ε) · gamma + beta, with the mean and the
 * biased variance taken over `axis` for each example. `gamma` and `beta` have the shape of the
 * normalized axes (or are null for no affine part). Composed from core ops, so its gradient — and
 * every backend — comes for free.
 *
 * @example
 * ```ts
 * const y = layerNorm(x, gamma, beta);              // x [batch, features], gamma/beta [features]
 * const z = layerNorm(x, null, null, { axis: [1, 2], epsilon: 1e-6 });
 * ```
 */
export function layerNorm(x: Tensor, gamma: Tensor | null, beta: Tensor | null, options: LayerNormOptions = {}): Tensor {
  check(x instanceof Tensor, 'layerNorm', () => `x must be a tensor, got ${x === null ? 'null' : typeof x}`);
  check(x.dtype === 'float32', 'layerNorm', () => `x must be float32, got ${x.dtype}`);
  const epsilon = options.epsilon ?? 1e-5;
  check(typeof epsilon === 'number' && Number.isFinite(epsilon) && epsilon >= 0, 'layerNorm', () => `epsilon must be a finite number ≥ 0, got ${epsilon}`);
  const axes = normalizeAxes('layerNorm', options.axis ?? -1, x.rank);
  const normalizedShape = axes.map((axis) => x.shape[axis]);
  // gamma/beta broadcast against x with size-1 dims everywhere but the normalized axes.
  const broadcastShape = x.shape.map((dim, axis) => (axes.includes(axis) ? dim : 1));
  const checkAffine = (name: string, parameter: Tensor | null): void => {
    if (parameter === null || parameter === undefined) return;
    check(parameter instanceof Tensor && parameter.dtype === 'float32', 'layerNorm', () => `${name} must be a float32 tensor or null`);
    check(parameter.size === sizeOf(normalizedShape) && (parameter.rank === axes.length || parameter.rank === x.rank),
      'layerNorm', () => `${name} ${formatShape(parameter.shape)} does not match the normalized shape ${formatShape(normalizedShape)} of x ${formatShape(x.shape)}`);
  };
  checkAffine('gamma', gamma);
  checkAffine('beta', beta);
  // The reshaped gamma/beta are intermediates too: made inside the scope, so they are disposed with it.
  return composite('layerNorm', () => {
    const affine = (parameter: Tensor | null) => (parameter ? reshape(parameter, broadcastShape) : null);
    return normalizeWith(x, moments(x, axes, true), epsilon, affine(gamma), affine(beta));
  });
}
