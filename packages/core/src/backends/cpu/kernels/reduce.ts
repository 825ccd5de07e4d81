import type { ReduceOp, TypedArray } from '../../../backend/backend.js';
import type { CpuTensor, KernelContext } from '../kernel-context.js';
import { sizeOfShape } from '../strides.js';
import { transpose } from './transpose.js';

/**
 * Reduce over `axes` (sorted, unique). When the reduced axes form one contiguous run once size-1
 * dims are ignored, x is read in place as [outer, reduced, inner]; otherwise the reduced axes are
 * first moved last by a transpose. Sums accumulate in double precision.
 */
export function reduce(context: KernelContext, op: ReduceOp, x: CpuTensor, axes: readonly number[]): TypedArray {
  const reduced = new Set(axes);
  const keptShape = x.shape.filter((_, axis) => !reduced.has(axis));
  const out = context.allocate(sizeOfShape(keptShape), x.dtype);
  const run = contiguousRun(x.shape, reduced);
  if (run !== null) {
    reduceRun(context, op, x.values, out, run.outer, run.reduced, run.inner);
    return out;
  }
  const keptAxes = x.shape.map((_, axis) => axis).filter((axis) => !reduced.has(axis));
  const moved = transpose(context, x, [...keptAxes, ...axes]);
  const reducedSize = sizeOfShape(axes.map((axis) => x.shape[axis]));
  reduceRun(context, op, moved, out, out.length, reducedSize, 1);
  context.release(moved);
  return out;
}

/** [outer, reduced, inner] sizes when the reduced axes (ignoring size-1 dims) are adjacent. */
function contiguousRun(
  shape: readonly number[], reduced: ReadonlySet<number>,
): { outer: number; reduced: number; inner: number } | null {
  let outer = 1;
  let reducedSize = 1;
  let inner = 1;
  let phase: 'outer' | 'reduced' | 'inner' = 'outer';
  for (let axis = 0; axis < shape.length; axis++) {
    const size = shape[axis];
    if (size === 1) continue;
    if (reduced.has(axis)) {
      if (phase === 'inner') return null;
      phase = 'reduced';
      reducedSize *= size;
    } else if (phase === 'outer') {
      outer *= size;
    } else {
      phase = 'inner';
      inner *= size;
    }
  }
  return { outer, reduced: reducedSize, inner };
}

function reduceRun(
  context: KernelContext, op: ReduceOp, x: TypedArray, out: TypedArray, outer: number, reducedSize: number,
  inner: number,
): void {
  if (reducedSize === 0) {
    out.fill(op === 'sum' ? 0 : op === 'max' ? -Infinity : Infinity);
    return;
  }
  if (inner === 1) {
    if (op === 'sum') {
      const accelerator = context.accelerator;
      if (
        accelerator?.sumLastAxis !== undefined && x instanceof Float32Array && out instanceof Float32Array &&
        accelerator.sumLastAxis(x, out, outer, reducedSize)
      ) return;
      sumLastAxis(x, out, outer, reducedSize);
    } else {
      extremeLastAxis(x, out, outer, reducedSize, op === 'max');
    }
    return;
  }
  if (op === 'sum') {
    const accelerator = context.accelerator;
    if (
      accelerator?.sumMiddleAxis !== undefined && x instanceof Float32Array && out instanceof Float32Array &&
      accelerator.sumMiddleAxis(x, out, outer, reducedSize, inner)
    ) return;
    sumMiddleAxis(x, out, outer, reducedSize, inner);
  } else {
    extremeMiddleAxis(x, out, outer, reducedSize, inner, op === 'max');
  }
}

function sumLastAxis(x: TypedArray, out: TypedArray, rows: number, columns: number): void {
  for (let row = 0; row < rows; row++) {
    const begin = row * columns;
    let sum0 = 0;
    let sum1 = 0;
    let column = 0;
    // Two accumulators halve the dependency chain.
    for (; column + 1 < columns; column += 2) {
      sum0 += x[begin + column];
      sum1 += x[begin + column + 1];
    }
    if (column < columns) sum0 += x[begin + column];
    out[row] = sum0 + sum1;
  }
}

function sumMiddleAxis(x: TypedArray, out: TypedArray, outer: number, reducedSize: number, inner: number): void {
  const sums = new Float64Array(inner);
  for (let o = 0; o < outer; o++) {
    sums.fill(0);
    const base = o * reducedSize * inner;
    for (let r = 0; r < reducedSize; r++) {
      const row = base + r * inner;
      for (let j = 0; j < inner; j++) sums[j] += x[row + j];
    }
    const outRow = o * inner;
    for (let j = 0; j < inner; j++) out[outRow + j] = sums[j];
  }
}

// NaN wins a max or min (as in NumPy and PyTorch): `v !== v` is true only for NaN.
function extremeLastAxis(x: TypedArray, out: TypedArray, rows: number, columns: number, isMax: boolean): void {
  for (let row = 0; row < rows; row++) {
    const begin = row * columns;
    let best = x[begin];
    for (let column = 1; column < columns; column++) {
      const value = x[begin + column];
      if ((isMax ? value > best : value < best) || value !== value) best = value;
      if (best !== best) break;
    }
    out[row] = best;
  }
}

function extremeMiddleAxis(
  x: TypedArray, out: TypedArray, outer: number, reducedSize: number, inner: number, isMax: boolean,
): void {
  for (let o = 0; o < outer; o++) {
    const base = o * reducedSize * inner;
    const outRow = o * inner;
    for (let j = 0; j < inner; j++) out[outRow + j] = x[base + j];
    for (let r = 1; r < reducedSize; r++) {
      const row = base + r * inner;
      if (isMax) {
        for (let j = 0; j < inner; j++) {
          const value = x[row + j];
          if (value > out[outRow + j] || value !== value) out[outRow + j] = value;
        }
      } else {
        for (let j = 0; j < inner; j++) {
          const value = x[row + j];
          if (value < out[outRow + j] || value !== value) out[outRow + j] = value;
        }
      }
    }
  }
}
