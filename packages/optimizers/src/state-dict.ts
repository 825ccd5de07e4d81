import { DendriteError, formatShape, type Tensor } from '@dendrite/core';
import { resolveHyperparameters, type Hyperparameters, type HyperparameterSpecs } from './hyperparameters.js';

/**
 * An optimizer's checkpoint: `config` is JSON-safe (`optimizer` name, `iterations`, `groups` with their
 * hyper-parameters and parameter indices, per-parameter `steps`); `tensors` holds the state tensors by
 * `'<parameter index>.<name>'`, e.g. `'0.exp_avg'`. @dendrite/training's checkpoints code against this shape.
 */
export interface OptimizerStateDict {
  config: Record<string, unknown>;
  tensors: Record<string, Tensor>;
}

/** What a loaded state dict must agree with. */
export interface StateDictExpectations {
  specs: HyperparameterSpecs;
  parameters: readonly Tensor[];
  groupSizes: readonly number[];
  stateNames: (parameterIndex: number, hyperparameters: Hyperparameters) => string[];
}

/** A state dict that passed every check, by group and by parameter. */
export interface CheckedStateDict {
  iterations: number;
  groups: Hyperparameters[];
  steps: number[];
  tensors: Array<Record<string, Tensor>>;
}

const isCount = (value: unknown): value is number => typeof value === 'number' && Number.isInteger(value) && value >= 0;

/** Check a state dict completely (keys, names, shapes, dtypes, counts) before the optimizer changes anything. */
export function checkStateDict(name: string, state: OptimizerStateDict, expected: StateDictExpectations): CheckedStateDict {
  const where = `${name}.loadStateDict`;
  const fail = (message: string): never => {
    throw new DendriteError(`${where}: ${message}`);
  };
  if (!state || typeof state !== 'object' || !state.config || typeof state.config !== 'object' || !state.tensors || typeof state.tensors !== 'object') {
    fail('expected { config, tensors } as stateDict() returns');
  }
  const { optimizer, iterations, groups, steps } = state.config as Record<string, unknown>;
  if (optimizer !== name) fail(`the state dict is from ${String(optimizer)}, not ${name}`);
  if (!isCount(iterations)) fail(`config.iterations must be a non-negative integer, got ${String(iterations)}`);
  if (!Array.isArray(groups) || groups.length !== expected.groupSizes.length) {
    fail(`the state dict has ${Array.isArray(groups) ? groups.length : 'no'} parameter groups, this optimizer ${expected.groupSizes.length}`);
  }
  const parameterCount = expected.parameters.length;
  if (!Array.isArray(steps) || steps.length !== parameterCount || !steps.every(isCount)) {
    fail(`config.steps must be ${parameterCount} non-negative integers (one per parameter)`);
  }
  let next = 0;
  const checkedGroups = (groups as Array<Record<string, unknown>>).map((group, groupIndex) => {
    const indices = group?.parameters;
    const size = expected.groupSizes[groupIndex];
    const wanted = Array.from({ length: size }, (_, k) => next + k);
    next += size;
    if (!Array.isArray(indices) || indices.length !== size || indices.some((value, k) => value !== wanted[k])) {
      fail(`group ${groupIndex} holds parameters ${JSON.stringify(indices)}, this optimizer's holds ${JSON.stringify(wanted)}`);
    }
    const options = { ...group };
    delete options.parameters;
    return resolveHyperparameters(`${where} group ${groupIndex}`, expected.specs, options, {});
  });
  const groupOfParameter = expected.groupSizes.flatMap((size, groupIndex) => Array<number>(size).fill(groupIndex));
  const tensors: Array<Record<string, Tensor>> = expected.parameters.map(() => ({}));
  for (const [key, tensor] of Object.entries(state.tensors)) {
    const match = /^(\d+)\.(\w+)$/.exec(key);
    const index = match ? Number(match[1]) : -1;
    if (!match || index >= parameterCount) fail(`unexpected tensor '${key}' (keys are '<parameter index 0..${parameterCount - 1}>.<state name>')`);
    const parameter = expected.parameters[index];
    if (!tensor || typeof tensor !== 'object' || typeof tensor.isDisposed !== 'boolean') fail(`'${key}' is not a Tensor`);
    if (tensor.isDisposed) fail(`tensor '${key}' was disposed`);
    if (tensor.dtype !== 'float32' || tensor.shape.length !== parameter.shape.length || tensor.shape.some((d, i) => d !== parameter.shape[i])) {
      fail(`tensor '${key}' is ${tensor.dtype} ${formatShape(tensor.shape)}, parameter ${index} is float32 ${formatShape(parameter.shape)}`);
    }
    tensors[index][match![2]] = tensor;
  }
  tensors.forEach((found, index) => {
    const step = (steps as number[])[index];
    const names = step > 0 ? expected.stateNames(index, checkedGroups[groupOfParameter[index]]) : [];
    const missing = names.filter((stateName) => !(stateName in found));
    const unexpected = Object.keys(found).filter((stateName) => !names.includes(stateName));
    if (missing.length) fail(`parameter ${index} (step ${step}) lacks ${missing.map((s) => `'${index}.${s}'`).join(', ')}`);
    if (unexpected.length) fail(`unexpected tensor ${unexpected.map((s) => `'${index}.${s}'`).join(', ')} for parameter ${index} (step ${step}; expected ${names.length ? names.join(', ') : 'no state'})`);
  });
  return { iterations: iterations as number, groups: checkedGroups, steps: steps as number[], tensors };
}
