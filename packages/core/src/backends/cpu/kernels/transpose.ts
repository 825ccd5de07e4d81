import type { TypedArray } from '../../../backend/backend.js';
import type { CpuTensor, KernelContext } from '../kernel-context.js';
import { sizeOfShape, stridesOf } from '../strides.js';
import { transposeInto } from './pack.js';

/**
 * Permute axes: output dim i is input dim perm[i]. Size-1 dims are dropped and input dims that
 * stay neighbours are merged first, so most permutations become a copy, a tiled 2-D transpose
 * (possibly batched), or a short walk with a strided inner loop.
 */
export function transpose(context: KernelContext, x: CpuTensor, perm: readonly number[]): TypedArray {
  const values = x.values;
  const out = context.allocate(values.length, x.dtype);
  if (values.length === 0) return out;
  const { shape, order } = collapsePermutation(x.shape, perm);
  const rank = shape.length;
  if (rank <= 1 || order.every((axis, index) => axis === index)) {
    out.set(values);
    return out;
  }
  const inStrides = stridesOf(shape);
  // Batched 2-D transpose: leading dims in place, last two swapped.
  if (order[rank - 1] === rank - 2 && order[rank - 2] === rank - 1 && order.slice(0, rank - 2).every((a, i) => a === i)) {
    const rows = shape[rank - 2];
    const cols = shape[rank - 1];
    const matrixSize = rows * cols;
    const batches = values.length / matrixSize;
    for (let batch = 0; batch < batches; batch++) {
      transposeInto(values, batch * matrixSize, rows, cols, out, batch * matrixSize);
    }
    return out;
  }
  const outShape = order.map((axis) => shape[axis]);
  const steps = order.map((axis) => inStrides[axis]);
  const count = outShape[rank - 1];
  const innerStep = steps[rank - 1];
  const counter = new Int32Array(rank);
  const rows = values.length / count;
  let source = 0;
  for (let row = 0; row < rows; row++) {
    const o = row * count;
    for (let i = 0, s = source; i < count; i++, s += innerStep) out[o + i] = values[s];
    for (let axis = rank - 2; axis >= 0; axis--) {
      counter[axis]++;
      source += steps[axis];
      if (counter[axis] < outShape[axis]) break;
      source -= steps[axis] * outShape[axis];
      counter[axis] = 0;
    }
  }
  return out;
}

/**
 * The permutation on a smaller shape: size-1 dims removed and runs of input dims that stay in
 * order in the output merged into one dim. `order` is the permutation of the collapsed dims.
 */
function collapsePermutation(
  inputShape: readonly number[], perm: readonly number[],
): { shape: number[]; order: number[] } {
  // Renumber the dims of size > 1 densely, so dims split only by a size-1 dim count as neighbours.
  const keptAxes = inputShape.map((_, axis) => axis).filter((axis) => inputShape[axis] !== 1);
  const keptShape = keptAxes.map((axis) => inputShape[axis]);
  const denseIndex = new Map(keptAxes.map((axis, index) => [axis, index]));
  const keptPerm = perm.filter((axis) => inputShape[axis] !== 1).map((axis) => denseIndex.get(axis)!);
  // Group consecutive output dims whose input dims are consecutive too.
  const groups: number[][] = [];
  for (const axis of keptPerm) {
    const last = groups[groups.length - 1];
    if (last !== undefined && last[last.length - 1] === axis - 1) last.push(axis);
    else groups.push([axis]);
  }
  // Number the groups in input order to get the collapsed shape, and their output order.
  const byInputPosition = groups.map((group, outputIndex) => ({ group, outputIndex }))
    .sort((left, right) => left.group[0] - right.group[0]);
  const shape = byInputPosition.map(({ group }) => sizeOfShape(group.map((axis) => keptShape[axis])));
  const collapsedIndexOfGroup = new Array<number>(groups.length);
  byInputPosition.forEach(({ outputIndex }, collapsedIndex) => { collapsedIndexOfGroup[outputIndex] = collapsedIndex; });
  return { shape, order: collapsedIndexOfGroup };
}
