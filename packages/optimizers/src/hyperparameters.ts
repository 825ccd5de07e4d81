import { DendriteError } from '@dendrite/core';

/**
 * What values a hyper-parameter accepts. Every kind rejects NaN and Infinity: one NaN learning rate turns
 * every parameter into NaN in a single step, so it must fail at construction, not after the first step.
 */
export type HyperparameterKind =
  | 'nonNegative' // learning rate, momentum, weight decay, decays: finite and ≥ 0 (a negative rate climbs the gradient)
  | 'unitInterval' // dampening: [0, 1]
  | 'beta' // moment decay rates: [0, 1)
  | 'positive' // ε: > 0 (ε = 0 divides by zero where a gradient was always 0)
  | 'boolean';

/** One hyper-parameter of an optimizer: its kind and its default (none: the caller must give it). */
export interface HyperparameterSpec {
  kind: HyperparameterKind;
  default?: number | boolean;
}

/** Every optimizer's hyper-parameters by name; `learningRate` and `weightDecay` are in every one. */
export type HyperparameterSpecs = Readonly<Record<string, HyperparameterSpec>>;

/** Resolved hyper-parameters: every name of the specs with a valid value. */
export type Hyperparameters = Readonly<Record<string, number | boolean>>;

const ranges: Record<Exclude<HyperparameterKind, 'boolean'>, [string, (value: number) => boolean]> = {
  nonNegative: ['a finite number ≥ 0', (value) => value >= 0],
  unitInterval: ['a number in [0, 1]', (value) => value >= 0 && value <= 1],
  beta: ['a number in [0, 1)', (value) => value >= 0 && value < 1],
  positive: ['a finite number > 0', (value) => value > 0],
};

/** @internal Validate one numeric option (of an optimizer or a schedule). */
export function checkOption(where: string, name: string, value: unknown, test: (value: number) => boolean, description: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || !test(value)) {
    throw new DendriteError(`${where}: ${name} must be ${description}, got ${String(value)}`);
  }
  return value;
}

/** @internal Reject option names an optimizer or a schedule does not know, listing the valid ones. */
export function checkKeys(where: string, options: object, valid: readonly string[]): void {
  for (const key of Object.keys(options ?? {})) {
    if (!valid.includes(key)) throw new DendriteError(`${where}: unknown option '${key}'; valid options are ${valid.join(', ')}`);
  }
}

/** Throw a DendriteError unless `value` suits the spec; `where` says whose value it is (e.g. "Adam group 1"). */
export function checkHyperparameter(where: string, name: string, spec: HyperparameterSpec, value: unknown): number | boolean {
  if (spec.kind === 'boolean') {
    if (typeof value !== 'boolean') throw new DendriteError(`${where}: ${name} must be true or false, got ${String(value)}`);
    return value;
  }
  const [description, inRange] = ranges[spec.kind];
  return checkOption(where, name, value, inRange, description);
}

/**
 * Merge `options` over `base` (the defaults, or the optimizer-wide options for a group), rejecting unknown
 * names with the list of valid ones (Adam `{ lr: 0.1 }` must not train silently at 1e-3) and missing ones
 * that have no default.
 */
export function resolveHyperparameters(
  where: string, specs: HyperparameterSpecs, options: object, base: Record<string, unknown>, ignoredKeys: readonly string[] = [],
): Hyperparameters {
  checkKeys(where, options, [...ignoredKeys, ...Object.keys(specs)]);
  const resolved: Record<string, number | boolean> = {};
  for (const [name, spec] of Object.entries(specs)) {
    const given = (options as Record<string, unknown>)[name];
    const value = given !== undefined ? given : base[name] !== undefined ? base[name] : spec.default;
    if (value === undefined) throw new DendriteError(`${where}: ${name} is required`);
    resolved[name] = checkHyperparameter(where, name, spec, value);
  }
  return resolved;
}
