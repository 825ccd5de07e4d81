import type { Tensor } from '../tensor.js';
import { binaryOp } from './binary-op.js';
import { unbroadcast, type TensorLike } from './util.js';

/**
 * a + b, broadcasting like NumPy.
 *
 * @example
 * ```ts
 * add(tensor([[1, 2], [3, 4]]), tensor([10, 20])); // [[11, 22], [13, 24]]
 * ```
 */
export function add(a: TensorLike, b: TensorLike): Tensor {
  return binaryOp('add', a, b, (dy, x, y) => [unbroadcast(dy, x.shape), unbroadcast(dy, y.shape)]);
}
