import { engine } from '../engine.js';
import { check } from '../errors.js';
import { formatShape, sizeOf } from '../shape.js';
import type { Tensor } from '../tensor.js';
import { add } from './add.js';
import { arange } from './creation.js';
import { reshape } from './reshape.js';
import { scatterAdd } from './scatter-add.js';
import { checkOptions, checkTensor } from './check-arguments.js';

/** Options of {@link topK}. */
export interface TopKOptions {
  /** Descending order (default true); false gives the same k entries in ascending index order. */
  sorted?: boolean;
}

/** What {@link topK} returns: both of shape x.shape[:-1] + [k]. */
export interface TopKResult {
  /** The k largest values of each row (x's dtype). */
  values: Tensor;
  /** Their positions along the last axis (int32). */
  indices: Tensor;
}

/**
 * The `k` largest entries along the last axis of `x`, with their int32 indices (PyTorch's
 * `torch.topk`). Ties keep the lower index first; on the CPU a NaN ranks as +Infinity. The gradient
 * of `values` scatters dy back to the picked positions (zero elsewhere). Recommenders rank every item
 * for a batch of users with one call.
 *
 * @example
 * ```ts
 * const { values, indices } = topK(tensor([[1, 9, 3, 7]]), 2);
 * await values.data();  // Float32Array [9, 7]
 * await indices.data(); // Int32Array [1, 3]
 * ```
 */
export function topK(x: Tensor, k: number, options: TopKOptions = {}): TopKResult {
  checkTensor('topK', 'x', x);
  checkOptions('topK', options);
  const sorted = options.sorted ?? true;
  check(x.rank >= 1, 'topK', () => `x must have rank >= 1, got shape ${formatShape(x.shape)}`);
  const length = x.shape[x.rank - 1];
  check(Number.isInteger(k) && k >= 0 && k <= length, 'topK', () =>
    `k must be an integer in [0, ${length}] (the last axis of x ${formatShape(x.shape)}), got ${k}`);
  check(typeof sorted === 'boolean', 'topK', () => `options.sorted must be a boolean, got ${String(sorted)}`);
  const shape = [...x.shape.slice(0, -1), k];
  const [values, indices] = engine.runMultiOp({
    name: 'topK', inputs: [x],
    outputs: [{ shape, dtype: x.dtype }, { shape, dtype: 'int32' }],
    kernel: (backend, [xInfo]) => backend.topK(xInfo, k, sorted),
  });
  // The rule reads the indices besides its input: saved with the graph.
  engine.recordGrad(values, 'topK', [x], (dy) => [scatterRows(dy, indices, x.shape)], [indices]);
  return { values, indices };
}

/** zeros of `shape`, then each row's dy[.., j] added at position indices[.., j] of its row. */
function scatterRows(dy: Tensor, indices: Tensor, shape: readonly number[]): Tensor {
  const length = shape[shape.length - 1];
  const k = indices.shape[indices.rank - 1];
  const rows = sizeOf(shape.slice(0, -1));
  return engine.tidy(() => {
    const rowStarts = reshape(arange(0, rows * length, Math.max(length, 1), 'int32'), [rows, 1]);
    const flatIndices = reshape(add(reshape(indices, [rows, k]), rowStarts), [rows * k]);
    return reshape(scatterAdd(reshape(dy, [rows * k]), flatIndices, [rows * length], 0), shape);
  });
}
