import { engine } from '../engine.js';
import { check } from '../errors.js';
import { normalizeAxis } from '../shape.js';
import type { Tensor } from '../tensor.js';
import { checkTensor } from './check-arguments.js';

/** Index (int32) of the largest value along `axis` (default: the last); the first on ties. */
export function argmax(x: Tensor, axis = -1): Tensor {
  return argReduce('argmax', x, axis);
}

/** Index (int32) of the smallest value along `axis` (default: the last); the first on ties. */
export function argmin(x: Tensor, axis = -1): Tensor {
  return argReduce('argmin', x, axis);
}

function argReduce(op: 'argmax' | 'argmin', x: Tensor, axis: number): Tensor {
  checkTensor(op, 'x', x);
  const resolved = normalizeAxis(op, axis, x.rank);
  check(x.rank > 0 && x.shape[resolved] > 0, op, () => 'needs a non-empty axis');
  return engine.runOp({
    name: op, inputs: [x], shape: x.shape.filter((_, a) => a !== resolved), dtype: 'int32',
    kernel: (backend, [xInfo]) => backend.argReduce(op, xInfo, resolved),
  });
}
