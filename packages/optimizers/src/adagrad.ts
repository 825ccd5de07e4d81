import { add, div, fill, mul, sqrt, square, sub, type Tensor } from '@dendrite/core';
import type { Hyperparameters, HyperparameterSpecs } from './hyperparameters.js';
import { Optimizer, type OptimizerParameters, type ParameterUpdate } from './optimizer.js';

/** Hyperparameters of {@link Adagrad}; each also settable per parameter group. */
export interface AdagradOptions {
  learningRate?: number;
  /** The rate at step t is learningRate / (1 + (t - 1)·learningRateDecay). */
  learningRateDecay?: number;
  weightDecay?: number;
  /** Starting value of the sum of squared gradients. */
  initialAccumulatorValue?: number;
  epsilon?: number;
}

const specs: HyperparameterSpecs = {
  learningRate: { kind: 'nonNegative', default: 1e-2 },
  learningRateDecay: { kind: 'nonNegative', default: 0 },
  weightDecay: { kind: 'nonNegative', default: 0 },
  initialAccumulatorValue: { kind: 'nonNegative', default: 0 },
  epsilon: { kind: 'positive', default: 1e-10 },
};

/**
 * Adagrad (Duchi et al., 2011) as `torch.optim.Adagrad`: each weight's step shrinks with the sum of its
 * squared gradients, p ← p - lr·g / (√Σg² + ε).
 *
 * @example
 * ```ts
 * const optimizer = new Adagrad(embedding.parameters(), { learningRate: 0.05 });
 * ```
 */
export class Adagrad extends Optimizer<AdagradOptions> {
  constructor(parameters: OptimizerParameters<AdagradOptions>, options: AdagradOptions = {}) {
    super({ name: 'Adagrad', specs }, parameters, options);
  }

  protected computeUpdate(parameter: Tensor, gradient: Tensor, state: Readonly<Record<string, Tensor>>, step: number, h: Hyperparameters): ParameterUpdate {
    const { learningRate, learningRateDecay, weightDecay, initialAccumulatorValue, epsilon } = h as Record<string, number>;
    const direction = weightDecay ? add(gradient, mul(parameter, weightDecay)) : gradient;
    const rate = learningRate / (1 + (step - 1) * learningRateDecay);
    const sum = add(state.sum ?? fill(parameter.shape, initialAccumulatorValue), square(direction));
    return { parameter: sub(parameter, mul(div(direction, add(sqrt(sum), epsilon)), rate)), state: { sum } };
  }

  protected stateNames(): string[] {
    return ['sum'];
  }
}
