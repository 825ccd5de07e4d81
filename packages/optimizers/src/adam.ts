import { adamUpdate, keep, zerosLike, type Tensor } from '@dendrite/core';
import { Optimizer } from './optimizer.js';

export interface AdamOptions {
  learningRate?: number;
  beta1?: number;
  beta2?: number;
  epsilon?: number;
}

/**
 * Adam (Kingma & Ba, 2015) with bias correction; defaults as in PyTorch (Keras' epsilon is 1e-7).
 *
 * @example
 * ```ts
 * const optimizer = new Adam(parameters, { learningRate: 1e-3 });
 * const { value, grads } = variableGrads(() => loss(), parameters);
 * optimizer.step(grads);
 * ```
 */
export class Adam extends Optimizer {
  readonly learningRate: number;
  readonly beta1: number;
  readonly beta2: number;
  readonly epsilon: number;
  private readonly firstMoment = new Map<Tensor, Tensor>();
  private readonly secondMoment = new Map<Tensor, Tensor>();

  constructor(parameters: readonly Tensor[], options: AdamOptions = {}) {
    super(parameters);
    this.learningRate = options.learningRate ?? 1e-3;
    this.beta1 = options.beta1 ?? 0.9;
    this.beta2 = options.beta2 ?? 0.999;
    this.epsilon = options.epsilon ?? 1e-8;
  }

  protected update(parameter: Tensor, gradient: Tensor): void {
    const m = this.firstMoment.get(parameter) ?? zerosLike(parameter);
    const v = this.secondMoment.get(parameter) ?? zerosLike(parameter);
    // Bias correction folded into the step size, as in the paper's efficient form.
    const t = this.iterations;
    const stepSize = (this.learningRate * Math.sqrt(1 - this.beta2 ** t)) / (1 - this.beta1 ** t);
    const next = adamUpdate(parameter, gradient, m, v, { stepSize, beta1: this.beta1, beta2: this.beta2, epsilon: this.epsilon });
    m.dispose();
    v.dispose();
    this.firstMoment.set(parameter, keep(next.firstMoment));
    this.secondMoment.set(parameter, keep(next.secondMoment));
    parameter.assign(next.param);
  }

  protected stateTensors(): Tensor[] {
    return [...this.firstMoment.values(), ...this.secondMoment.values()];
  }
}
