import type { Tensor } from '../tensor.js';
import { extremumGrad } from './extremum-grad.js';
import { reduceOp } from './reduce-op.js';

/** Max over `axis` (all when omitted); the gradient is shared equally among tied maxima. */
export function max(x: Tensor, axis?: number | readonly number[], keepDims = false): Tensor {
  return reduceOp('max', 'max', x, axis, keepDims, (dy, output) => extremumGrad(dy, x, output));
}
