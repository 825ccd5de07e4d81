import { engine } from '../engine.js';
import { check } from '../errors.js';
import { normalizeAxis } from '../shape.js';
import type { Tensor } from '../tensor.js';
import { reshape } from './reshape.js';
import { scatterAdd } from './scatter-add.js';

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
  const resolved = normalizeAxis('gather', axis, x.rank);
  check(indices.dtype === 'int32', 'gather', () => `indices must be int32, got ${indices.dtype}`);
  const flatIndices = reshape(indices, [indices.size]);
  const flatShape = x.shape.map((dim, a) => (a === resolved ? indices.size : dim));
  const gathered = engine.runOp({
    name: 'gather', inputs: [x, flatIndices], shape: flatShape, dtype: x.dtype,
    kernel: (backend, [xInfo, indexInfo]) => backend.gather(xInfo, indexInfo, resolved),
    backward: (dy) => [scatterAdd(dy, flatIndices, x.shape, resolved), null],
  });
  const shape = [...x.shape.slice(0, resolved), ...indices.shape, ...x.shape.slice(resolved + 1)];
  return reshape(gathered, shape);
}
