import { engine } from '../engine.js';
import { check } from '../errors.js';
import { formatShape } from '../shape.js';
import { Tensor } from '../tensor.js';
import { gradients } from './backward.js';
import { zerosLike } from '../ops/creation.js';

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
  check(initial.dtype === 'float32', 'variable', () => `variables must be float32, got ${initial.dtype}`);
  const v = engine.keep(engine.makeView(initial, initial.shape));
  v.requiresGrad = true;
  v.name = name;
  return v;
}

/** An alias of `x` that is a fresh leaf requiring grad, so grad() never touches the caller's tensor. */
function leafAlias(x: Tensor): Tensor {
  check(x instanceof Tensor, 'grad', () => `arguments must be tensors, got ${typeof x}`);
  check(x.dtype === 'float32', 'grad', () => `can only differentiate with respect to float32 tensors, got ${x.dtype}`);
  const alias = engine.makeView(x, x.shape);
  alias.requiresGrad = true;
  return alias;
}

/**
 * The function and its gradients with respect to every argument. `f` must return a one-element
 * tensor (a scalar loss).
 *
 * @example
 * ```ts
 * const { value, grads: [dx] } = valueAndGrad((x) => sum(square(x)))(tensor([1, 2, 3]));
 * // value 14, dx [2, 4, 6]
 * ```
 */
export function valueAndGrad<Args extends Tensor[]>(f: (...args: Args) => Tensor) {
  return (...args: Args): { value: Tensor; grads: Tensor[] } => engine.tidy(() => {
    const aliases = args.map(leafAlias) as Args;
    const value = f(...aliases);
    check(value instanceof Tensor, 'valueAndGrad', () => 'the function must return a tensor');
    check(value.size === 1, 'valueAndGrad', () => `the function must return a scalar, got shape ${formatShape(value.shape)}`);
    const grads = gradients(value, aliases).map((g, i) => g ?? engine.noGrad(() => zerosLike(args[i])));
    const detached = engine.makeView(value, value.shape);
    return { value: detached, grads };
  });
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
 * tf.variableGrads; a variable `f` does not use gets zeros. The variables keep no `.grad`.
 */
export function variableGrads(f: () => Tensor, variables: readonly Tensor[]): { value: Tensor; grads: Tensor[] } {
  return engine.tidy(() => {
    const value = f();
    check(value.size === 1, 'variableGrads', () => `the function must return a scalar, got shape ${formatShape(value.shape)}`);
    const grads = gradients(value, variables).map((g, i) => g ?? engine.noGrad(() => zerosLike(variables[i])));
    return { value: engine.makeView(value, value.shape), grads };
  });
}
