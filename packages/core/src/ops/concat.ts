import { engine } from '../engine.js';
import { check } from '../errors.js';
import { formatShape, normalizeAxis } from '../shape.js';
import type { Tensor } from '../tensor.js';
import { expandDims } from './reshape.js';
import { split } from './slice.js';
import { checkTensorList } from './check-arguments.js';
import { composite } from './util.js';

/**
 * Join tensors along an existing axis.
 *
 * @example
 * ```ts
 * concat([a, b], 1); // [n, p] and [n, q] -> [n, p + q]
 * ```
 */
export function concat(tensors: readonly Tensor[], axis = 0): Tensor {
  checkTensorList('concat', 'tensors', tensors);
  check(tensors.length > 0, 'concat', () => 'needs at least one tensor');
  const first = tensors[0];
  const resolved = normalizeAxis('concat', axis, first.rank);
  for (const t of tensors) {
    check(t.rank === first.rank && t.dtype === first.dtype && t.shape.every((dim, a) => a === resolved || dim === first.shape[a]), 'concat', () =>
      `shapes ${tensors.map((x) => `${x.dtype} ${formatShape(x.shape)}`).join(', ')} differ outside axis ${resolved}`);
  }
  if (tensors.length === 1) return first;
  const sizes = tensors.map((t) => t.shape[resolved]);
  const shape = first.shape.map((dim, a) => (a === resolved ? sizes.reduce((x, y) => x + y, 0) : dim));
  return engine.runOp({
    name: 'concat', inputs: tensors, shape, dtype: first.dtype,
    kernel: (backend, infos) => backend.concat(infos, resolved),
    backward: (dy) => split(dy, sizes, resolved),
  });
}

/** Join tensors of equal shape along a new axis. */
export function stack(tensors: readonly Tensor[], axis = 0): Tensor {
  checkTensorList('stack', 'tensors', tensors);
  check(tensors.length > 0, 'stack', () => 'needs at least one tensor');
  const shape = tensors[0].shape;
  check(tensors.every((t) => t.rank === shape.length && t.shape.every((dim, a) => dim === shape[a])), 'stack', () =>
    `all tensors must have the same shape, got ${tensors.map((t) => formatShape(t.shape)).join(', ')}`);
  return composite('stack', () => concat(tensors.map((t) => expandDims(t, axis)), axis));
}
