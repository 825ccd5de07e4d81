import { check } from '../errors.js';
import type { Tensor } from '../tensor.js';
import { equal } from './comparisons.js';
import { arange } from './creation.js';
import { expandDims } from './reshape.js';
import { checkTensor } from './check-arguments.js';
import { composite } from './util.js';

/**
 * One-hot float32 encoding of int32 class indices: shape indices.shape + [depth]. Indices outside
 * [0, depth) give an all-zero row.
 *
 * @example
 * ```ts
 * oneHot(tensor([0, 2], [2], 'int32'), 3); // [[1, 0, 0], [0, 0, 1]]
 * ```
 */
export function oneHot(indices: Tensor, depth: number): Tensor {
  checkTensor('oneHot', 'indices', indices);
  check(indices.dtype === 'int32', 'oneHot', () => `indices must be int32, got ${indices.dtype}`);
  check(Number.isInteger(depth) && depth > 0, 'oneHot', () => `depth must be a positive integer, got ${depth}`);
  return composite('oneHot', () => equal(expandDims(indices, -1), arange(0, depth, 1, 'int32')));
}
