import { engine } from '../engine.js';
import { check } from '../errors.js';
import { formatShape, sizeOf } from '../shape.js';
import type { Tensor } from '../tensor.js';
import { checkIntegerList, checkTensor } from './check-arguments.js';

/**
 * Same values, new shape (one dim may be -1 and is inferred). A view: no data is copied.
 *
 * @example
 * ```ts
 * reshape(arange(6), [2, -1]); // [[0, 1, 2], [3, 4, 5]]
 * ```
 */
export function reshape(x: Tensor, shape: readonly number[]): Tensor {
  checkTensor('reshape', 'x', x);
  checkIntegerList('reshape', 'shape', shape);
  x.assertAlive('reshape');
  const resolved = resolveShape(x, shape);
  const output = engine.makeView(x, resolved);
  return engine.recordGrad(output, 'reshape', [x], (dy) => [reshape(dy, x.shape)]);
}

/** Collapse all dims into one (or all dims from `startAxis` on). */
export function flatten(x: Tensor, startAxis = 0): Tensor {
  checkTensor('flatten', 'x', x);
  return reshape(x, [...x.shape.slice(0, startAxis), -1]);
}

/** Insert a dim of size 1 at `axis`. */
export function expandDims(x: Tensor, axis = 0): Tensor {
  checkTensor('expandDims', 'x', x);
  const position = axis < 0 ? x.rank + 1 + axis : axis;
  check(position >= 0 && position <= x.rank, 'expandDims', () => `axis ${axis} is out of range for rank ${x.rank}`);
  const shape = [...x.shape];
  shape.splice(position, 0, 1);
  return reshape(x, shape);
}

/** Remove dims of size 1 (all of them, or the given axes, which must have size 1). */
export function squeeze(x: Tensor, axes?: readonly number[]): Tensor {
  checkTensor('squeeze', 'x', x);
  if (axes !== undefined) checkIntegerList('squeeze', 'axes', axes);
  const drop = new Set((axes ?? x.shape.map((dim, axis) => (dim === 1 ? axis : -1)).filter((axis) => axis >= 0))
    .map((axis) => (axis < 0 ? axis + x.rank : axis)));
  for (const axis of drop) {
    check(x.shape[axis] === 1, 'squeeze', () => `cannot squeeze axis ${axis} of shape ${formatShape(x.shape)}: its size is not 1`);
  }
  return reshape(x, x.shape.filter((_, axis) => !drop.has(axis)));
}

function resolveShape(x: Tensor, shape: readonly number[]): number[] {
  const inferred = shape.filter((dim) => dim === -1).length;
  check(inferred <= 1, 'reshape', () => `only one dim may be -1, got ${formatShape(shape)}`);
  for (const dim of shape) {
    check(Number.isInteger(dim) && dim >= -1, 'reshape', () => `invalid target shape ${formatShape(shape)}`);
  }
  const known = sizeOf(shape.filter((dim) => dim !== -1));
  const resolved = shape.map((dim) => (dim === -1 ? (known === 0 ? 0 : x.size / known) : dim));
  check(sizeOf(resolved) === x.size && resolved.every(Number.isInteger), 'reshape', () =>
    `cannot reshape ${formatShape(x.shape)} (${x.size} elements) into ${formatShape(shape)}`);
  return resolved;
}
