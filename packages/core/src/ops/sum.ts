import type { Tensor } from '../tensor.js';
import { broadcastTo } from './broadcast-to.js';
import { reduceOp } from './reduce-op.js';

/**
 * Sum over `axis` (one, several, or all when omitted).
 *
 * @example
 * ```ts
 * sum(tensor([[1, 2], [3, 4]]), 1); // [3, 7]
 * ```
 */
export function sum(x: Tensor, axis?: number | readonly number[], keepDims = false): Tensor {
  return reduceOp('sum', 'sum', x, axis, keepDims, (dy) => broadcastTo(dy, x.shape));
}
