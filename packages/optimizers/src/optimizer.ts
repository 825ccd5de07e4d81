import { DendriteError, formatShape, keep, mul, noGrad, tidy, type Tensor } from '@dendrite/core';
import { resolveHyperparameters, type Hyperparameters, type HyperparameterSpecs } from './hyperparameters.js';
import { ParameterGroup } from './parameter-group.js';
import { checkStateDict, type OptimizerStateDict } from './state-dict.js';

/** A group of parameters with its own hyper-parameters (PyTorch's `{ params, lr, weight_decay }`). */
export type ParameterGroupOptions<Options> = Options & { params: readonly Tensor[] };

/** What an optimizer takes: a list of parameters, or parameter groups with their own options. */
export type OptimizerParameters<Options> = readonly Tensor[] | ReadonlyArray<ParameterGroupOptions<Options>>;

/** What one update rule returns for one parameter: its new value and its new state tensors. */
export interface ParameterUpdate {
  parameter: Tensor;
  state: Record<string, Tensor>;
}

/** What an optimizer declares about itself to the base class. */
export interface OptimizerDefinition {
  /** Used in every error message and in state dicts. */
  name: string;
  specs: HyperparameterSpecs;
  /** Checks that span several hyper-parameters (SGD's Nesterov needs momentum and no dampening). */
  checkCombination?: (where: string, hyperparameters: Hyperparameters) => void;
}

/**
 * Base of every optimizer: it owns parameters (variables) in groups, and per-parameter state including
 * each parameter's own step count (a parameter first updated at step 3 gets a first step's bias
 * correction, as in PyTorch). A step is atomic: every gradient is checked and every update computed before
 * any parameter or state changes, so a rejected step changes nothing and counts nothing.
 *
 * @example
 * ```ts
 * const optimizer = new SGD([{ params: weights, weightDecay: 1e-4 }, { params: biases }], { learningRate: 0.1, momentum: 0.9 });
 * optimizer.zeroGrad();
 * backward(loss);
 * optimizer.step();
 * ```
 */
export abstract class Optimizer<Options extends object = object> {
  /** Every parameter, group after group (the order of `step(gradients)` and of state-dict indices). */
  readonly parameters: readonly Tensor[];
  readonly parameterGroups: readonly ParameterGroup[];
  /** Optimizer steps taken (each parameter also keeps its own count, see {@link Optimizer.stepCount}). */
  iterations = 0;
  protected readonly name: string;
  private readonly specs: HyperparameterSpecs;
  private readonly groupOf: number[] = [];
  private readonly states: Array<{ step: number; tensors: Record<string, Tensor> }> = [];
  private disposed = false;

  protected constructor(definition: OptimizerDefinition, parameters: OptimizerParameters<Options>, options: Options) {
    const { name, specs, checkCombination } = definition;
    this.name = name;
    this.specs = specs;
    if (!Array.isArray(parameters) || parameters.length === 0) {
      // The usual cause: a @dendrite/layers model has no weights until it is built.
      throw new DendriteError(`${name}: no parameters to optimize (a layers model has none until it is built: call model.build(inputShape) or apply it once before creating the optimizer)`);
    }
    const defaults = resolveHyperparameters(name, specs, options ?? {}, {});
    checkCombination?.(name, defaults);
    const groupOptions = isGroupList(name, parameters) ? parameters : [{ params: parameters } as ParameterGroupOptions<Options>];
    const seen = new Set<Tensor>();
    this.parameterGroups = groupOptions.map((group, groupIndex) => {
      const where = groupOptions.length > 1 ? `${name} group ${groupIndex}` : name;
      if (!group || !Array.isArray(group.params)) throw new DendriteError(`${where}: a parameter group needs params: Tensor[]`);
      const hyperparameters = resolveHyperparameters(where, specs, group, defaults, ['params']);
      checkCombination?.(where, hyperparameters);
      for (const parameter of group.params) {
        if (!parameter?.requiresGrad) throw new DendriteError(`${where}: parameter ${parameter?.name ?? `#${parameter?.id}`} does not require grad (make it with variable())`);
        if (seen.has(parameter)) throw new DendriteError(`${where}: parameter ${parameter.name ?? `#${parameter.id}`} appears more than once`);
        seen.add(parameter);
        this.groupOf.push(groupIndex);
        this.states.push({ step: 0, tensors: {} });
      }
      return new ParameterGroup(where, specs, group.params, hyperparameters, checkCombination);
    });
    this.parameters = this.parameterGroups.flatMap((group) => group.parameters);
  }

  /** The learning rate of the first group; setting it sets every group's (validated). */
  get learningRate(): number {
    return this.parameterGroups[0].learningRate;
  }

  set learningRate(value: number) {
    // Validate once before touching any group, so a bad value leaves every group as it was.
    this.parameterGroups[0].learningRate = value;
    for (const group of this.parameterGroups) group.learningRate = value;
  }

  /** Steps this parameter has been updated (0 before its first gradient). */
  stepCount(parameter: Tensor): number {
    const index = this.parameters.indexOf(parameter);
    if (index < 0) throw new DendriteError(`${this.name}.stepCount: the tensor is not one of this optimizer's parameters`);
    return this.states[index].step;
  }

  /**
   * Apply one update. `gradients` line up with `parameters` (as variableGrads returns them); when omitted
   * each parameter's `.grad` (from backward()) is used. Parameters without a gradient are skipped and keep
   * their step count.
   */
  step(gradients?: ReadonlyArray<Tensor | null | undefined>): void {
    this.assertUsable('step');
    if (gradients && gradients.length !== this.parameters.length) {
      throw new DendriteError(`${this.name}.step: got ${gradients.length} gradients for ${this.parameters.length} parameters`);
    }
    const work: Array<{ index: number; gradient: Tensor }> = [];
    this.parameters.forEach((parameter, index) => {
      const gradient = gradients ? gradients[index] : parameter.grad;
      parameter.assertAlive(`${this.name}.step`);
      if (gradient) work.push({ index, gradient: this.checkGradient(index, gradient) });
    });
    // Compute everything first: an update that throws leaves parameters, state and counts untouched.
    const groupOptions = this.parameterGroups.map((group) => group.options);
    const updates = tidy(() => noGrad(() => work.map(({ index, gradient }) => {
      const state = this.states[index];
      return this.computeUpdate(this.parameters[index], gradient, state.tensors, state.step + 1, groupOptions[this.groupOf[index]]);
    })));
    work.forEach(({ index }, k) => {
      const state = this.states[index];
      const update = updates[k];
      this.parameters[index].assign(update.parameter);
      update.parameter.dispose();
      for (const [stateName, old] of Object.entries(state.tensors)) if (update.state[stateName] !== old) old.dispose();
      for (const tensor of Object.values(update.state)) keep(tensor);
      state.tensors = update.state;
      state.step++;
    });
    this.iterations++;
  }

  /** Drop the accumulated `.grad` of every parameter. */
  zeroGrad(): void {
    for (const p of this.parameters) {
      p.grad?.dispose();
      p.grad = null;
    }
  }

  /**
   * The optimizer's state for a checkpoint: `config` is JSON-safe (hyper-parameters per group, parameter
   * indices, per-parameter step counts, iterations); `tensors` maps `'<parameter index>.<name>'` (PyTorch's
   * names: `exp_avg`, `exp_avg_sq`, `momentum_buffer`, ...) to copies the caller owns and disposes.
   *
   * @example
   * ```ts
   * const saved = optimizer.stateDict();
   * // ... later, on an optimizer made over the same parameters:
   * optimizer.loadStateDict(saved); // continues bit-exactly
   * ```
   */
  stateDict(): OptimizerStateDict {
    this.assertUsable('stateDict');
    const tensors: Record<string, Tensor> = {};
    this.states.forEach((state, index) => {
      for (const [stateName, tensor] of Object.entries(state.tensors)) tensors[`${index}.${stateName}`] = copy(tensor);
    });
    let next = 0;
    const groups = this.parameterGroups.map((group) => ({ ...group.options, parameters: group.parameters.map(() => next++) }));
    return { config: { optimizer: this.name, iterations: this.iterations, groups, steps: this.states.map((s) => s.step) }, tensors };
  }

  /**
   * Restore a {@link Optimizer.stateDict} made by the same kind of optimizer over parameters of the same
   * shapes and grouping. Everything is checked before anything changes; the tensors are copied, so the
   * caller may dispose them afterwards.
   */
  loadStateDict(state: OptimizerStateDict): void {
    this.assertUsable('loadStateDict');
    const checked = checkStateDict(this.name, state, {
      specs: this.specs,
      parameters: this.parameters,
      groupSizes: this.parameterGroups.map((group) => group.parameters.length),
      stateNames: (index, hyperparameters) => this.stateNames(hyperparameters, this.parameters[index]),
    });
    this.parameterGroups.forEach((group, groupIndex) => group.replaceAll(checked.groups[groupIndex]));
    this.states.forEach((parameterState, index) => {
      for (const tensor of Object.values(parameterState.tensors)) tensor.dispose();
      parameterState.step = checked.steps[index];
      parameterState.tensors = Object.fromEntries(Object.entries(checked.tensors[index]).map(([stateName, tensor]) => [stateName, keep(copy(tensor))]));
    });
    this.iterations = checked.iterations;
  }

  /** Free the optimizer's state tensors; any later step says the optimizer was disposed. */
  dispose(): void {
    for (const state of this.states) for (const tensor of Object.values(state.tensors)) tensor.dispose();
    this.disposed = true;
  }

  /**
   * The update rule for one parameter, with ops (no assignment): `step` is this parameter's step count
   * including this update (1 on its first), `state` its tensors from the previous update (empty before).
   */
  protected abstract computeUpdate(parameter: Tensor, gradient: Tensor, state: Readonly<Record<string, Tensor>>, step: number, hyperparameters: Hyperparameters): ParameterUpdate;

  /** The state tensor names a parameter has after its first update under these hyper-parameters. */
  protected abstract stateNames(hyperparameters: Hyperparameters, parameter: Tensor): string[];

  private checkGradient(index: number, gradient: Tensor): Tensor {
    const parameter = this.parameters[index];
    const label = `${this.name}.step: gradient ${index}${parameter.name ? ` (of '${parameter.name}')` : ''}`;
    if (gradient.isDisposed) throw new DendriteError(`${label} was disposed`);
    if (gradient.dtype !== 'float32') throw new DendriteError(`${label} is ${gradient.dtype}, expected float32`);
    if (gradient.shape.length !== parameter.shape.length || gradient.shape.some((d, i) => d !== parameter.shape[i])) {
      throw new DendriteError(`${this.name}.step: gradient ${formatShape(gradient.shape)} does not match parameter ${formatShape(parameter.shape)}`);
    }
    return gradient;
  }

  private assertUsable(method: string): void {
    if (this.disposed) throw new DendriteError(`${this.name}.${method}: the optimizer was disposed`);
  }
}

function isGroupList<Options>(name: string, parameters: OptimizerParameters<Options>): parameters is ReadonlyArray<ParameterGroupOptions<Options>> {
  const groups = parameters.filter((item) => item !== null && typeof item === 'object' && 'params' in item).length;
  if (groups > 0 && groups < parameters.length) throw new DendriteError(`${name}: give either parameters or parameter groups ({ params, ...options }), not a mix`);
  return groups > 0;
}

/** An exact copy in a new buffer: × 1 keeps every bit, -0 and NaN included (+ 0 would turn -0 into 0). */
function copy(tensor: Tensor): Tensor {
  return noGrad(() => mul(tensor, 1));
}
