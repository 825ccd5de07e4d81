import { engine } from '../engine.js';
import type { Tensor } from '../tensor.js';
import { greater } from './comparisons.js';
import { mul } from './mul.js';

/**
 * @internal relu's gradient from its output, dy * (output > 0): one kernel where the backend has
 * `reluGrad` (one pass instead of a comparison and a product, and no mask tensor), else the composed
 * mul(dy, greater(output, 0)), with the same bits. Its own gradient is the same mask applied to the
 * incoming gradient; the output's gradient is zero, as the comparison's is.
 */
export function reluGrad(dy: Tensor, output: Tensor): Tensor {
  const backend = engine.backend;
  const fusable = backend.reluGrad !== undefined && dy.dtype === 'float32' && output.dtype === 'float32' &&
    dy.rank === output.rank && dy.shape.every((size, axis) => size === output.shape[axis]);
  if (!fusable) return mul(dy, greater(output, 0));
  return engine.runOp({
    name: 'reluGrad', inputs: [dy, output], shape: dy.shape, dtype: 'float32',
    kernel: (kernels, [dyInfo, outputInfo]) => kernels.reluGrad!(dyInfo, outputInfo),
    backward: (ddx, wanted) => [wanted[0] ? reluGrad(ddx, output) : null, null],
  });
}
