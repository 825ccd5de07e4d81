import { add, DendriteError, mul, sub, type Tensor } from '@dendrite/core';
import type { Hyperparameters, HyperparameterSpecs } from './hyperparameters.js';
import { Optimizer, type OptimizerParameters, type ParameterUpdate } from './optimizer.js';

/** Hyperparameters of {@link SGD}; each also settable per parameter group. */
export interface SGDOptions {
  /** Required, as in PyTorch: there is no learning rate that suits every model. */
  learningRate?: number;
  /** Heavy-ball momentum (0 for plain SGD). */
  momentum?: number;
  /** Fraction of the gradient held back from the momentum buffer (0 to 1). */
  dampening?: number;
  /** Nesterov momentum (needs momentum > 0 and dampening 0). */
  nesterov?: boolean;
  /** L2 penalty added to the gradient. */
  weightDecay?: number;
}

const specs: HyperparameterSpecs = {
  learningRate: { kind: 'nonNegative' },
  momentum: { kind: 'nonNegative', default: 0 },
  dampening: { kind: 'unitInterval', default: 0 },
  nesterov: { kind: 'boolean', default: false },
  weightDecay: { kind: 'nonNegative', default: 0 },
};

function checkCombination(where: string, hyperparameters: Hyperparameters): void {
  if (hyperparameters.nesterov && ((hyperparameters.momentum as number) <= 0 || hyperparameters.dampening !== 0)) {
    throw new DendriteError(`${where}: nesterov needs momentum > 0 and dampening 0, got momentum ${String(hyperparameters.momentum)} and dampening ${String(hyperparameters.dampening)}`);
  }
}

/**
 * Stochastic gradient descent with optional momentum, dampening, Nesterov momentum and L2 weight decay,
 * step for step as PyTorch's `torch.optim.SGD` (the first momentum buffer is the gradient itself).
 *
 * @example
 * ```ts
 * const optimizer = new SGD([w, b], { learningRate: 0.1, momentum: 0.9, nesterov: true });
 * optimizer.step(grads);
 * ```
 */
export class SGD extends Optimizer<SGDOptions> {
  constructor(parameters: OptimizerParameters<SGDOptions>, options: SGDOptions = {}) {
    super({ name: 'SGD', specs, checkCombination }, parameters, options);
  }

  protected computeUpdate(parameter: Tensor, gradient: Tensor, state: Readonly<Record<string, Tensor>>, _step: number, h: Hyperparameters): ParameterUpdate {
    const { learningRate, momentum, dampening, nesterov, weightDecay } = h as Required<Record<keyof SGDOptions, number>> & { nesterov: boolean };
    let direction = weightDecay ? add(gradient, mul(parameter, weightDecay)) : gradient;
    const next: Record<string, Tensor> = {};
    if (momentum) {
      const previous = state.momentum_buffer;
      // × 1 copies: the buffer must never be the caller's gradient tensor, which it will dispose.
      const buffer = previous ? add(mul(previous, momentum), mul(direction, 1 - dampening)) : mul(direction, 1);
      next.momentum_buffer = buffer;
      direction = nesterov ? add(direction, mul(buffer, momentum)) : buffer;
    }
    return { parameter: sub(parameter, mul(direction, learningRate)), state: next };
  }

  protected stateNames(h: Hyperparameters): string[] {
    return h.momentum ? ['momentum_buffer'] : [];
  }
}
