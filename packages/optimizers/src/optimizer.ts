import { DendriteError, formatShape, tidy, type Tensor } from '@dendrite/core';

/**
 * Base of every optimizer: it owns a list of parameters (variables) and per-parameter state, and
 * applies one update rule. State is keyed by parameter, never stored on layers.
 */
export abstract class Optimizer {
  readonly parameters: readonly Tensor[];
  /** Steps taken so far. */
  iterations = 0;

  constructor(parameters: readonly Tensor[]) {
    if (parameters.length === 0) throw new DendriteError(`${this.constructor.name}: no parameters to optimize`);
    for (const p of parameters) {
      if (!p.requiresGrad) throw new DendriteError(`${this.constructor.name}: parameter ${p.name ?? `#${p.id}`} does not require grad (make it with variable())`);
    }
    this.parameters = parameters;
  }

  /**
   * Apply one update. `gradients` line up with `parameters` (as variableGrads returns them); when
   * omitted each parameter's `.grad` (from backward()) is used. Parameters without a gradient are skipped.
   */
  step(gradients?: ReadonlyArray<Tensor | null>): void {
    if (gradients && gradients.length !== this.parameters.length) {
      throw new DendriteError(`${this.constructor.name}.step: got ${gradients.length} gradients for ${this.parameters.length} parameters`);
    }
    const gradientOf = (index: number) => (gradients ? gradients[index] : this.parameters[index].grad);
    // Check every gradient first: a rejected step changes no parameter and does not count.
    this.parameters.forEach((parameter, index) => {
      const gradient = gradientOf(index);
      if (gradient && (gradient.shape.length !== parameter.shape.length || gradient.shape.some((d, i) => d !== parameter.shape[i]))) {
        throw new DendriteError(`${this.constructor.name}.step: gradient ${formatShape(gradient.shape)} does not match parameter ${formatShape(parameter.shape)}`);
      }
    });
    this.iterations++;
    tidy(() => {
      this.parameters.forEach((parameter, index) => {
        const gradient = gradientOf(index);
        if (gradient) this.update(parameter, gradient, index);
      });
    });
  }

  /** Drop the accumulated `.grad` of every parameter. */
  zeroGrad(): void {
    for (const p of this.parameters) {
      p.grad?.dispose();
      p.grad = null;
    }
  }

  /** Free the optimizer's state tensors. */
  dispose(): void {
    for (const state of this.stateTensors()) state.dispose();
  }

  /** Update one parameter in place (with `parameter.assign`). Runs inside a tidy scope. */
  protected abstract update(parameter: Tensor, gradient: Tensor, index: number): void;

  protected abstract stateTensors(): Tensor[];
}
