import { add, keep, mul, sub, zerosLike, type Tensor } from '@dendrite/core';
import { Optimizer } from './optimizer.js';

export interface SGDOptions {
  learningRate: number;
  /** Heavy-ball momentum (0 for plain SGD). */
  momentum?: number;
  /** L2 penalty added to the gradient. */
  weightDecay?: number;
}

/**
 * Stochastic gradient descent with optional momentum (PyTorch's formulation).
 *
 * @example
 * ```ts
 * const optimizer = new SGD([w, b], { learningRate: 0.1, momentum: 0.9 });
 * optimizer.step(grads);
 * ```
 */
export class SGD extends Optimizer {
  readonly learningRate: number;
  readonly momentum: number;
  readonly weightDecay: number;
  private readonly velocity = new Map<Tensor, Tensor>();

  constructor(parameters: readonly Tensor[], options: SGDOptions) {
    super(parameters);
    this.learningRate = options.learningRate;
    this.momentum = options.momentum ?? 0;
    this.weightDecay = options.weightDecay ?? 0;
  }

  protected update(parameter: Tensor, gradient: Tensor): void {
    let g = this.weightDecay ? add(gradient, mul(parameter, this.weightDecay)) : gradient;
    if (this.momentum) {
      const previous = this.velocity.get(parameter) ?? zerosLike(parameter);
      const next = keep(add(mul(previous, this.momentum), g));
      previous.dispose();
      this.velocity.set(parameter, next);
      g = next;
    }
    parameter.assign(sub(parameter, mul(g, this.learningRate)));
  }

  protected stateTensors(): Tensor[] {
    return [...this.velocity.values()];
  }
}
