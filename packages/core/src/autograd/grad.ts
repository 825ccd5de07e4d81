import { engine } from '../engine.js';
import { describe } from '../values.js';
import { check } from '../errors.js';
import { formatShape } from '../shape.js';
import { Tensor } from '../tensor.js';
import { gradients } from './backward.js';
import { zerosLike } from '../ops/creation.js';
import { checkTensor } from '../ops/check-arguments.js';

/**
 * A tensor whose values training updates: it requires grad, survives tidy scopes, and takes new
 * values with `assign`.
 *
 * @example
 * ```ts
 * const w = variable(randomNormal([784, 10], 0, 0.05), 'w');
 * ```
 */
export function variable(initial: Tensor, name?: string): Tensor {
  checkTensor('variable', 'initial', initial);
  check(initial.dtype === 'float32', 'variable', () => `variables must be float32, got ${initial.dtype}`);
  const v = engine.keep(engine.makeView(initial, initial.shape));
  v.requiresGrad = true;
  v.name = name;
  return v;
}

/** An alias of `x` that is a fresh leaf requiring grad, so grad() never touches the caller's tensor. */
function leafAlias(x: Tensor, index: number): Tensor {
  check(x instanceof Tensor, 'grad', () => `argument ${index} must be a tensor, got ${describe(x)}`);
  check(x.dtype === 'float32', 'grad', () => `can only differentiate with respect to float32 tensors, got ${x.dtype}`);
  const alias = engine.makeView(x, x.shape);
  alias.requiresGrad = true;
  return alias;
}

/** Options of {@link valueAndGrad} and {@link variableGrads}. */
export interface GradOptions {
  /**
   * The function returns `[loss, aux]`: only the loss is differentiated; `aux` (any tensors, in
   * arrays, objects or Maps — logits, accuracy) comes back beside it as `result.aux`, kept alive
   * and detached from the graph (so it holds no intermediates), for the caller to dispose.
   */
  hasAux?: boolean;
}

/** What a gradient call with `{ hasAux: true }` returns. */
export interface ValueAuxAndGrads<Aux> {
  value: Tensor;
  aux: Aux;
  grads: Tensor[];
}

/**
 * The function and its gradients with respect to every argument. `f` must return a one-element
 * tensor (a scalar loss), or `[loss, aux]` with `{ hasAux: true }`.
 *
 * @example
 * ```ts
 * const { value, grads: [dx] } = valueAndGrad((x) => sum(square(x)))(tensor([1, 2, 3]));
 * // value 14, dx [2, 4, 6]
 * const step = valueAndGrad((x) => { const y = square(x); return [sum(y), y]; }, { hasAux: true });
 * const { value: total, aux: squares, grads } = step(tensor([1, 2, 3])); // aux: [1, 4, 9]
 * ```
 */
export function valueAndGrad<Args extends Tensor[]>(f: (...args: Args) => Tensor): (...args: Args) => { value: Tensor; grads: Tensor[] };
export function valueAndGrad<Args extends Tensor[], Aux>(
  f: (...args: Args) => readonly [Tensor, Aux], options: GradOptions & { hasAux: true },
): (...args: Args) => ValueAuxAndGrads<Aux>;
export function valueAndGrad<Args extends Tensor[]>(f: (...args: Args) => unknown, options: GradOptions = {}) {
  check(typeof f === 'function', 'valueAndGrad', () => `argument 'f' must be a function, got ${describe(f)}`);
  return (...args: Args) => engine.tidy(() => {
    const aliases = args.map(leafAlias) as Args;
    return lossAndGrads('valueAndGrad', f(...aliases), aliases, args, options);
  });
}

/**
 * The function's loss (and aux) from its result, and the loss's gradients for `targets`; a target
 * the loss does not reach gets zeros shaped like `shapes[i]`. Runs inside the caller's tidy.
 */
function lossAndGrads(
  op: string, result: unknown, targets: readonly Tensor[], shapes: readonly Tensor[], options: GradOptions,
): { value: Tensor; grads: Tensor[]; aux?: unknown } {
  let value = result;
  let aux: unknown;
  if (options.hasAux) {
    check(Array.isArray(result) && result.length === 2, op, () =>
      `with { hasAux: true } the function must return [loss, aux], got ${describe(result)}`);
    [value, aux] = result as [unknown, unknown];
  }
  check(value instanceof Tensor, op, () => `the function must return a tensor${options.hasAux ? ' as the first element' : ''}, got ${describe(value)}`);
  check(value.size === 1, op, () => `the function must return a scalar, got shape ${formatShape(value.shape)}`);
  const grads = gradients(value, targets).map((g, i) => g ?? engine.noGrad(() => zerosLike(shapes[i])));
  const detachedValue = engine.makeView(value, value.shape);
  return options.hasAux ? { value: detachedValue, aux: detachTensors(aux), grads } : { value: detachedValue, grads };
}

/**
 * A copy of `value`'s structure (arrays, plain objects, Maps, Sets) with every tensor replaced by a
 * view that has no gradient graph, so keeping an aux output does not keep the step's intermediates.
 * Containers are copied as empty shells first and filled from a work list, so a cyclic or
 * 10,000-deep aux neither loops nor overflows the stack; other objects are passed through as they are.
 */
function detachTensors(value: unknown): unknown {
  const copies = new Map<object, unknown>();
  const fills: Array<() => void> = [];
  const shell = (item: unknown): unknown => {
    if (!item || typeof item !== 'object' || ArrayBuffer.isView(item)) return item;
    if (copies.has(item)) return copies.get(item);
    let copy: unknown = item;
    if (item instanceof Tensor) {
      copy = engine.makeView(item, item.shape);
    } else if (Array.isArray(item)) {
      const array = new Array<unknown>(item.length);
      fills.push(() => item.forEach((element, i) => (array[i] = shell(element))));
      copy = array;
    } else if (item instanceof Map) {
      const map = new Map<unknown, unknown>();
      fills.push(() => item.forEach((entry, key) => map.set(shell(key), shell(entry))));
      copy = map;
    } else if (item instanceof Set) {
      const set = new Set<unknown>();
      fills.push(() => item.forEach((element) => set.add(shell(element))));
      copy = set;
    } else if ([Object.prototype, null].includes(Object.getPrototypeOf(item) as object | null)) {
      const record: Record<string, unknown> = {};
      fills.push(() => {
        for (const [key, entry] of Object.entries(item)) record[key] = shell(entry);
      });
      copy = record;
    }
    copies.set(item, copy);
    return copy;
  };
  const result = shell(value);
  while (fills.length) fills.pop()!();
  return result;
}

/**
 * The gradient function of `f`: returns d f / d arg for every argument.
 *
 * @example
 * ```ts
 * const [dx] = grad((x) => sum(square(x)))(tensor([1, 2, 3])); // [2, 4, 6]
 * ```
 */
export function grad<Args extends Tensor[]>(f: (...args: Args) => Tensor) {
  const both = valueAndGrad(f);
  return (...args: Args): Tensor[] => engine.tidy(() => both(...args).grads);
}

/**
 * Gradients of `f()` (a one-element tensor) with respect to the given variables, in the style of
 * tf.variableGrads; a variable `f` does not use gets zeros. The variables keep no `.grad`. With
 * `{ hasAux: true }`, `f` returns `[loss, aux]` and the result carries `aux` (detached, kept).
 *
 * @example
 * ```ts
 * const { value, aux, grads } = variableGrads(() => {
 *   const logits = linear(x, w);
 *   return [softmaxCrossEntropy(logits, labels), { correct: sum(equal(argmax(logits, 1), labels)) }];
 * }, [w], { hasAux: true });
 * ```
 */
export function variableGrads(f: () => Tensor, variables: readonly Tensor[]): { value: Tensor; grads: Tensor[] };
export function variableGrads<Aux>(
  f: () => readonly [Tensor, Aux], variables: readonly Tensor[], options: GradOptions & { hasAux: true },
): ValueAuxAndGrads<Aux>;
export function variableGrads(f: () => unknown, variables: readonly Tensor[], options: GradOptions = {}): { value: Tensor; grads: Tensor[]; aux?: unknown } {
  check(typeof f === 'function', 'variableGrads', () => `argument 'f' must be a function, got ${describe(f)}`);
  check(Array.isArray(variables), 'variableGrads', () => `argument 'variables' must be an array of tensors, got ${describe(variables)}`);
  variables.forEach((v, i) => checkTensor('variableGrads', `variables[${i}]`, v));
  return engine.tidy(() => lossAndGrads('variableGrads', f(), variables, variables, options));
}
