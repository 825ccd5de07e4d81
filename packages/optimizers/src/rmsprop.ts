import { add, div, maximum, mul, sqrt, square, sub, zerosLike, type Tensor } from '@dendrite/core';
import type { Hyperparameters, HyperparameterSpecs } from './hyperparameters.js';
import { Optimizer, type OptimizerParameters, type ParameterUpdate } from './optimizer.js';

/** Hyperparameters of {@link RMSprop}; each also settable per parameter group. */
export interface RMSpropOptions {
  learningRate?: number;
  /** Decay of the running average of squared gradients (PyTorch's alpha; Keras calls it rho). */
  alpha?: number;
  epsilon?: number;
  weightDecay?: number;
  momentum?: number;
  /** Divide by the running variance of the gradient (√(E[g²] - E[g]²)) instead of √E[g²]. */
  centered?: boolean;
}

const specs: HyperparameterSpecs = {
  learningRate: { kind: 'nonNegative', default: 1e-2 },
  alpha: { kind: 'beta', default: 0.99 },
  epsilon: { kind: 'positive', default: 1e-8 },
  weightDecay: { kind: 'nonNegative', default: 0 },
  momentum: { kind: 'nonNegative', default: 0 },
  centered: { kind: 'boolean', default: false },
};

/**
 * RMSprop (Hinton's lecture 6e) as `torch.optim.RMSprop`: p ← p - lr·g / (√E[g²] + ε), with optional
 * momentum on that step and the centered variant.
 *
 * @example
 * ```ts
 * const optimizer = new RMSprop(parameters, { learningRate: 1e-3, momentum: 0.9, centered: true });
 * ```
 */
export class RMSprop extends Optimizer<RMSpropOptions> {
  constructor(parameters: OptimizerParameters<RMSpropOptions>, options: RMSpropOptions = {}) {
    super({ name: 'RMSprop', specs }, parameters, options);
  }

  protected computeUpdate(parameter: Tensor, gradient: Tensor, state: Readonly<Record<string, Tensor>>, _step: number, h: Hyperparameters): ParameterUpdate {
    const { learningRate, alpha, epsilon, weightDecay, momentum } = h as Record<string, number>;
    const direction = weightDecay ? add(gradient, mul(parameter, weightDecay)) : gradient;
    const average = (previous: Tensor | undefined, value: Tensor) => add(mul(previous ?? zerosLike(parameter), alpha), mul(value, 1 - alpha));
    const next: Record<string, Tensor> = { square_avg: average(state.square_avg, square(direction)) };
    let variance = next.square_avg;
    if (h.centered) {
      next.grad_avg = average(state.grad_avg, direction);
      // Rounding can push E[g²] - E[g]² a hair below 0; its square root would be NaN.
      variance = maximum(sub(next.square_avg, square(next.grad_avg)), 0);
    }
    const scaled = div(direction, add(sqrt(variance), epsilon));
    if (!momentum) return { parameter: sub(parameter, mul(scaled, learningRate)), state: next };
    next.momentum_buffer = add(mul(state.momentum_buffer ?? zerosLike(parameter), momentum), scaled);
    return { parameter: sub(parameter, mul(next.momentum_buffer, learningRate)), state: next };
  }

  protected stateNames(h: Hyperparameters): string[] {
    return ['square_avg', ...(h.centered ? ['grad_avg'] : []), ...(h.momentum ? ['momentum_buffer'] : [])];
  }
}
