import { engine } from '../engine.js';
import { broadcastShapes } from '../shape.js';
import type { Tensor } from '../tensor.js';
import { zerosLike } from './creation.js';
import { toTensor, unbroadcast, type TensorLike } from './util.js';
import { check } from '../errors.js';
import { checkTensor } from './check-arguments.js';

/**
 * Pick from `a` where `condition` is non-zero, else from `b`; all three broadcast together.
 *
 * @example
 * ```ts
 * where(greater(x, 0), x, 0); // relu
 * ```
 */
export function where(condition: Tensor, a: TensorLike, b: TensorLike): Tensor {
  checkTensor('where', 'condition', condition);
  const x = toTensor('where', a, 'a');
  const y = toTensor('where', b, 'b');
  try {
    check(x.dtype === y.dtype, 'where', () => `branches have different dtypes ${x.dtype} and ${y.dtype}`);
    const shape = broadcastShapes('where', broadcastShapes('where', condition.shape, x.shape), y.shape);
    return engine.runOp({
      name: 'where', inputs: [condition, x, y], shape, dtype: x.dtype,
      kernel: (backend, [c, xInfo, yInfo]) => backend.where(c, xInfo, yInfo, shape),
      backward: (dy) => {
        const zero = zerosLike(dy);
        return [null, unbroadcast(where(condition, dy, zero), x.shape), unbroadcast(where(condition, zero, dy), y.shape)];
      },
    });
  } finally {
    // Scalars made from plain numbers are ours (saved by the graph if it reads them).
    if (x !== a) x.dispose();
    if (y !== b) y.dispose();
  }
}
