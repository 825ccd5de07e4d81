import { engine } from '../engine.js';
import { describe } from '../values.js';
import { check } from '../errors.js';
import { formatShape, normalizeAxis } from '../shape.js';
import type { Tensor } from '../tensor.js';
import { pad } from './pad.js';
import { checkIntegerList, checkTensor } from './check-arguments.js';

/**
 * The box starting at `begin` with extent `size` (-1 means "to the end"); missing trailing
 * axes are taken whole.
 *
 * @example
 * ```ts
 * slice(x, [0, 1], [-1, 2]); // all rows, columns 1..2
 * ```
 */
export function slice(x: Tensor, begin: readonly number[], size?: readonly number[]): Tensor {
  checkTensor('slice', 'x', x);
  check(Array.isArray(begin), 'slice', () => `argument 'begin' must be an array of integers, got ${describe(begin)}`);
  check(begin.length <= x.rank, 'slice', () => `begin has ${begin.length} entries for a tensor of rank ${x.rank}`);
  const start = x.shape.map((_, axis) => begin[axis] ?? 0);
  const extent = x.shape.map((dim, axis) => {
    const requested = size?.[axis] ?? -1;
    return requested === -1 ? dim - start[axis] : requested;
  });
  x.shape.forEach((dim, axis) => check(
    Number.isInteger(start[axis]) && Number.isInteger(extent[axis]) && start[axis] >= 0 && extent[axis] >= 0 && start[axis] + extent[axis] <= dim,
    'slice', () => `begin [${start.join(', ')}] size [${extent.join(', ')}] is outside shape ${formatShape(x.shape)} (axis ${axis})`));
  return engine.runOp({
    name: 'slice', inputs: [x], shape: extent, dtype: x.dtype,
    kernel: (backend, [xInfo]) => backend.slice(xInfo, start, extent),
    backward: (dy) => [pad(dy, x.shape.map((dim, axis) => [start[axis], dim - start[axis] - extent[axis]] as [number, number]))],
  });
}

/** Split into pieces along `axis`: a count of equal pieces, or a list of sizes. */
export function split(x: Tensor, sizesOrCount: number | readonly number[], axis = 0): Tensor[] {
  checkTensor('split', 'x', x);
  if (typeof sizesOrCount !== 'number') checkIntegerList('split', 'sizesOrCount', sizesOrCount);
  const resolved = normalizeAxis('split', axis, x.rank);
  const dim = x.shape[resolved];
  const sizes = typeof sizesOrCount === 'number' ? new Array<number>(sizesOrCount).fill(dim / sizesOrCount) : sizesOrCount;
  check(sizes.every(Number.isInteger) && sizes.reduce((a, b) => a + b, 0) === dim, 'split', () =>
    `cannot split axis ${resolved} of size ${dim} into [${sizes.join(', ')}]`);
  let offset = 0;
  return sizes.map((size) => {
    const begin = x.shape.map((_, a) => (a === resolved ? offset : 0));
    const extent = x.shape.map((d, a) => (a === resolved ? size : d));
    offset += size;
    return slice(x, begin, extent);
  });
}
