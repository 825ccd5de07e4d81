import { DendriteError, type Tensor } from '@dendrite/core';
import { checkHyperparameter, type Hyperparameters, type HyperparameterSpecs } from './hyperparameters.js';

/**
 * Parameters that share hyper-parameters (PyTorch's param_groups): e.g. no weight decay on biases, a
 * smaller learning rate for a pretrained backbone. Every change is validated as at construction.
 *
 * @example
 * ```ts
 * optimizer.parameterGroups[1].learningRate = 1e-4;
 * optimizer.parameterGroups[0].set('weightDecay', 0);
 * ```
 */
export class ParameterGroup {
  readonly parameters: readonly Tensor[];
  private values: Record<string, number | boolean>;

  /** @internal Made by the optimizer from validated hyper-parameters. */
  constructor(
    private readonly where: string, private readonly specs: HyperparameterSpecs, parameters: readonly Tensor[], hyperparameters: Hyperparameters,
    private readonly checkCombination?: (where: string, hyperparameters: Hyperparameters) => void,
  ) {
    this.parameters = parameters;
    this.values = { ...hyperparameters };
  }

  /** This group's hyper-parameters (a frozen copy; change them with `set` or the setters). */
  get options(): Hyperparameters {
    return Object.freeze({ ...this.values });
  }

  get learningRate(): number {
    return this.values.learningRate as number;
  }

  set learningRate(value: number) {
    this.set('learningRate', value);
  }

  get weightDecay(): number {
    return this.values.weightDecay as number;
  }

  set weightDecay(value: number) {
    this.set('weightDecay', value);
  }

  /** Change one hyper-parameter of this group, validated (unknown names list the valid ones). */
  set(name: string, value: number | boolean): void {
    const spec = this.specs[name];
    if (!spec) throw new DendriteError(`${this.where}: unknown option '${name}'; valid options are ${Object.keys(this.specs).join(', ')}`);
    const candidate = { ...this.values, [name]: checkHyperparameter(this.where, name, spec, value) };
    this.checkCombination?.(this.where, candidate);
    this.values = candidate;
  }

  /** @internal Replace every value at once (loadStateDict, after validation). */
  replaceAll(hyperparameters: Hyperparameters): void {
    this.values = { ...hyperparameters };
  }
}
