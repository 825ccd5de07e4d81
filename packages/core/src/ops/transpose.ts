import { engine } from '../engine.js';
import { check } from '../errors.js';
import type { Tensor } from '../tensor.js';
import { reshape } from './reshape.js';
import { checkIntegerList, checkTensor } from './check-arguments.js';

/**
 * Permute axes (default: reverse them). Moving only size-1 axes is a free view; otherwise the
 * values are copied into the new order.
 *
 * @example
 * ```ts
 * transpose(x, [0, 2, 1]); // swap the last two axes
 * ```
 */
export function transpose(x: Tensor, perm?: readonly number[]): Tensor {
  checkTensor('transpose', 'x', x);
  if (perm !== undefined) checkIntegerList('transpose', 'perm', perm);
  const order = perm ?? x.shape.map((_, axis) => x.rank - 1 - axis);
  check(order.length === x.rank && [...order].sort((a, b) => a - b).every((axis, i) => axis === i), 'transpose', () =>
    `perm [${order.join(', ')}] is not a permutation of the ${x.rank} axes`);
  const shape = order.map((axis) => x.shape[axis]);
  const inverse = new Array<number>(order.length);
  order.forEach((axis, i) => (inverse[axis] = i));
  const movedAxes = order.filter((axis) => x.shape[axis] !== 1);
  if (movedAxes.every((axis, i) => i === 0 || axis > movedAxes[i - 1])) return reshape(x, shape);
  return engine.runOp({
    name: 'transpose', inputs: [x], shape, dtype: x.dtype,
    kernel: (backend, [xInfo]) => backend.transpose(xInfo, order),
    backward: (dy) => [transpose(dy, inverse)],
  });
}
