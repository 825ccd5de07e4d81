import { engine } from '../engine.js';
import { describe } from '../values.js';
import { check } from '../errors.js';
import type { Tensor } from '../tensor.js';
import { slice } from './slice.js';
import { checkTensor } from './check-arguments.js';

/**
 * Pad with a constant: paddings[i] = [before, after] for axis i.
 *
 * @example
 * ```ts
 * pad(images, [[0, 0], [2, 2], [2, 2], [0, 0]]); // 2 pixels of zeros around each NHWC image
 * ```
 */
export function pad(x: Tensor, paddings: ReadonlyArray<readonly [number, number]>, value = 0): Tensor {
  checkTensor('pad', 'x', x);
  check(Array.isArray(paddings) && paddings.every((entry) => Array.isArray(entry) && entry.length === 2), 'pad', () =>
    `argument 'paddings' must be an array of [before, after] pairs, got ${describe(paddings)}`);
  check(paddings.length === x.rank, 'pad', () => `needs ${x.rank} [before, after] pairs, got ${paddings.length}`);
  check(paddings.every(([before, after]) => Number.isInteger(before) && Number.isInteger(after) && before >= 0 && after >= 0), 'pad', () =>
    'paddings must be non-negative integers');
  const shape = x.shape.map((dim, axis) => dim + paddings[axis][0] + paddings[axis][1]);
  return engine.runOp({
    name: 'pad', inputs: [x], shape, dtype: x.dtype,
    kernel: (backend, [xInfo]) => backend.pad(xInfo, paddings, value),
    backward: (dy) => [slice(dy, paddings.map(([before]) => before), x.shape)],
  });
}
