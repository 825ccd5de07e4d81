import { broadcastShapes, formatShape, shapesEqual } from '../shape.js';
import { check } from '../errors.js';
import type { Tensor } from '../tensor.js';
import { add } from './add.js';
import { zeros } from './creation.js';
import { checkIntegerList, checkTensor } from './check-arguments.js';
import { composite } from './util.js';

/** Repeat size-1 dims (and add leading dims) to reach `shape`, like NumPy's broadcast_to. */
export function broadcastTo(x: Tensor, shape: readonly number[]): Tensor {
  checkTensor('broadcastTo', 'x', x);
  checkIntegerList('broadcastTo', 'shape', shape);
  if (shapesEqual(x.shape, shape)) return x;
  const result = broadcastShapes('broadcastTo', x.shape, shape);
  check(shapesEqual(result, shape), 'broadcastTo', () => `cannot broadcast ${formatShape(x.shape)} to ${formatShape(shape)}`);
  return composite('broadcastTo', () => add(x, zeros(shape, x.dtype)));
}
