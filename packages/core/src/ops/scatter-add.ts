import { engine } from '../engine.js';
import { check } from '../errors.js';
import { formatShape, normalizeAxis } from '../shape.js';
import type { Tensor } from '../tensor.js';
import { gather } from './gather.js';
import { checkTensor } from './check-arguments.js';
import { checkShapeArgument } from './creation.js';

/**
 * The adjoint of gather: zeros of `shape`, then out[.., indices[j], ..] += updates[.., j, ..] along
 * `axis`; repeated indices accumulate (the gradient of an embedding lookup).
 */
export function scatterAdd(updates: Tensor, indices: Tensor, shape: readonly number[], axis = 0): Tensor {
  checkTensor('scatterAdd', 'updates', updates);
  checkTensor('scatterAdd', 'indices', indices);
  checkShapeArgument('scatterAdd', shape);
  const resolved = normalizeAxis('scatterAdd', axis, shape.length);
  check(indices.dtype === 'int32' && indices.rank === 1, 'scatterAdd', () => `indices must be a rank-1 int32 tensor, got ${indices.dtype} ${formatShape(indices.shape)}`);
  const expected = shape.map((dim, a) => (a === resolved ? indices.size : dim));
  check(updates.rank === expected.length && updates.shape.every((dim, a) => dim === expected[a]), 'scatterAdd', () =>
    `updates ${formatShape(updates.shape)} must have shape ${formatShape(expected)}`);
  return engine.runOp({
    name: 'scatterAdd', inputs: [updates, indices], shape, dtype: updates.dtype,
    kernel: (backend, [updateInfo, indexInfo]) => backend.scatterAdd(updateInfo, indexInfo, resolved, shape),
    backward: (dy) => [gather(dy, indices, resolved), null],
  });
}
