import { engine } from '../engine.js';
import { check } from '../errors.js';
import { normalizeAxis } from '../shape.js';
import type { Tensor } from '../tensor.js';
import { reshape } from './reshape.js';
import { scatterAdd } from './scatter-add.js';
import { checkTensor } from './check-arguments.js';
import { composite } from './util.js';

/**
 * Pick slices of `x` along `axis` by int32 `indices` of any shape (embedding lookup with axis 0).
 * The output shape is x.shape[:axis] + indices.shape + x.shape[axis+1:].
 *
 * @example
 * ```ts
 * gather(embeddings, tensor([[1, 5], [2, 0]], [2, 2], 'int32')); // [2, 2, dim]
 * ```
 */
export function gather(x: Tensor, indices: Tensor, axis = 0): Tensor {
  checkTensor('gather', 'x', x);
  checkTensor('gather', 'indices', indices);
  const resolved = normalizeAxis('gather', axis, x.rank);
  check(indices.dtype === 'int32', 'gather', () => `indices must be int32, got ${indices.dtype}`);
  const shape = [...x.shape.slice(0, resolved), ...indices.shape, ...x.shape.slice(resolved + 1)];
  if (indices.rank === 1) return gatherFlat(x, indices, resolved);
  return composite('gather', () => reshape(gatherFlat(x, reshape(indices, [indices.size]), resolved), shape));
}

function gatherFlat(x: Tensor, flatIndices: Tensor, axis: number): Tensor {
  const flatShape = x.shape.map((dim, a) => (a === axis ? flatIndices.size : dim));
  return engine.runOp({
    name: 'gather', inputs: [x, flatIndices], shape: flatShape, dtype: x.dtype,
    kernel: (backend, [xInfo, indexInfo]) => backend.gather(xInfo, indexInfo, axis),
    backward: (dy) => [scatterAdd(dy, flatIndices, x.shape, axis), null],
  });
}
