import { add, clip, DendriteError, div, minimum, mul, noGrad, scalar, sqrt, square, sum, type Tensor } from '@dendrite/core';

/** Gradients as optimizers take them: one per parameter, null or undefined where none flowed. */
export type Gradients = ReadonlyArray<Tensor | null | undefined>;

function checkGradients(op: string, gradients: Gradients): void {
  if (!Array.isArray(gradients)) throw new DendriteError(`${op}: gradients must be an array of tensors (null for none)`);
  gradients.forEach((gradient, index) => {
    if (!gradient) return;
    if (gradient.isDisposed) throw new DendriteError(`${op}: gradient ${index} was disposed`);
    if (gradient.dtype !== 'float32') throw new DendriteError(`${op}: gradient ${index} is ${gradient.dtype}, expected float32`);
  });
}

function checkLimit(op: string, name: string, value: number): void {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) throw new DendriteError(`${op}: ${name} must be a finite number > 0, got ${value}`);
}

/**
 * Scale all gradients together so their global L2 norm is at most `maxNorm` (PyTorch's
 * `clip_grad_norm_`: coefficient min(1, maxNorm / (norm + 1e-6))). The norm stays a scalar tensor on the
 * device (read it with `await norm.data()` when you log it), so clipping never stalls a GPU. Returns new
 * tensors in the caller's scope; null entries (parameters without a gradient) stay null.
 *
 * @example
 * ```ts
 * const { grads } = variableGrads(loss, parameters);
 * const { gradients, norm } = clipGradientsByGlobalNorm(grads, 1);
 * optimizer.step(gradients);
 * ```
 */
export function clipGradientsByGlobalNorm(gradients: Gradients, maxNorm: number): { gradients: Array<Tensor | null>; norm: Tensor } {
  const op = 'clipGradientsByGlobalNorm';
  checkGradients(op, gradients);
  checkLimit(op, 'maxNorm', maxNorm);
  return noGrad(() => {
    const present = gradients.filter((gradient): gradient is Tensor => !!gradient);
    const squaredNorm = present.reduce<Tensor>((total, gradient) => add(total, sum(square(gradient))), scalar(0));
    const norm = sqrt(squaredNorm);
    const coefficient = minimum(div(maxNorm, add(norm, 1e-6)), 1);
    return { gradients: gradients.map((gradient) => (gradient ? mul(gradient, coefficient) : null)), norm };
  });
}

/**
 * Clamp every gradient element to [-limit, limit] (PyTorch's `clip_grad_value_`, Keras' `clipvalue`).
 * Returns new tensors in the caller's scope; null entries stay null.
 *
 * @example
 * ```ts
 * optimizer.step(clipGradientsByValue(grads, 0.5));
 * ```
 */
export function clipGradientsByValue(gradients: Gradients, limit: number): Array<Tensor | null> {
  const op = 'clipGradientsByValue';
  checkGradients(op, gradients);
  checkLimit(op, 'limit', limit);
  return noGrad(() => gradients.map((gradient) => (gradient ? clip(gradient, -limit, limit) : null)));
}
