import type { Tensor } from '../tensor.js';
import { extremumGrad } from './extremum-grad.js';
import { reduceOp } from './reduce-op.js';

/** Min over `axis` (all when omitted); the gradient is shared equally among tied minima. */
export function min(x: Tensor, axis?: number | readonly number[], keepDims = false): Tensor {
  return reduceOp('min', 'min', x, axis, keepDims, (dy, output) => extremumGrad(dy, x, output));
}
