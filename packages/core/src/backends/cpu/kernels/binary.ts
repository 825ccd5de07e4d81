import type { BinaryOp, DType, TypedArray } from '../../../backend/backend.js';
import { collapseBroadcast, forEachRow } from '../broadcast.js';
import type { CpuTensor, KernelContext } from '../kernel-context.js';
import { ARITHMETIC_LOOPS, type ContiguousLoops } from './binary-loops.js';
import { COMPARISON_LOOPS } from './comparison-loops.js';
import { sizeOfShape } from '../strides.js';
import { DendriteError } from '../../../errors.js';

/**
 * out[o + i] = a[ai] op b[bi] for i < count, stepping ai by aStride and bi by bStride (0 for a
 * broadcast operand). One function per op keeps the op out of the inner loop.
 */
type RowLoop = (
  a: TypedArray, ai: number, aStride: number, b: TypedArray, bi: number, bStride: number,
  out: TypedArray, o: number, count: number,
) => void;

/** The contiguous loops of every op that has them. */
const CONTIGUOUS_LOOPS: Partial<Record<BinaryOp, ContiguousLoops>> = { ...ARITHMETIC_LOOPS, ...COMPARISON_LOOPS };

/**
 * Elementwise binary op with NumPy broadcasting (see `Kernels.binary`). The shapes collapse to the
 * fewest dims first: same-shape and scalar operands become one loop, a bias add [N, C] + [C] N
 * contiguous rows of C, anything else rows with a strided inner loop.
 */
export function binary(
  context: KernelContext, op: BinaryOp, a: CpuTensor, b: CpuTensor, outShape: readonly number[], outDtype: DType,
): TypedArray {
  const outSize = sizeOfShape(outShape);
  const out = context.allocate(outSize, outDtype);
  const accelerator = context.accelerator;
  if (
    accelerator?.binary !== undefined && a.values instanceof Float32Array && b.values instanceof Float32Array &&
    out instanceof Float32Array && a.values.length === outSize && (b.values.length === outSize || b.values.length === 1)
  ) {
    if (accelerator.binary(op, a.values, b.values, out)) return out;
  }
  const integer = outDtype === 'int32';
  const rowLoop = rowLoopOf(op, integer);
  const layout = collapseBroadcast(outShape, [a.shape, b.shape]);
  const rank = layout.shape.length;
  const count = layout.shape[rank - 1];
  const aStride = layout.strides[0][rank - 1];
  const bStride = layout.strides[1][rank - 1];
  // Integer mul/div need their own rounding, so only the float forms take the contiguous loops.
  const contiguous = integer && (op === 'mul' || op === 'div') ? undefined : CONTIGUOUS_LOOPS[op];
  if (contiguous !== undefined && aStride === 1) {
    if (rank === 1 && bStride === 1) {
      contiguous.whole(a.values, b.values, out, count);
      return out;
    }
    if (rank === 1 && bStride === 0) {
      contiguous.scalar(a.values, b.values[0], out, count);
      return out;
    }
    if (rank === 2 && bStride === 1 && layout.strides[0][0] === count && layout.strides[1][0] === 0) {
      // a [rows, count] with one row vector b (a bias add): no per-row callback.
      const rows = layout.shape[0];
      if (
        accelerator?.binaryRows !== undefined && a.values instanceof Float32Array && b.values instanceof Float32Array &&
        out instanceof Float32Array && accelerator.binaryRows(op, a.values, b.values, out, rows, count)
      ) return out;
      const rowLoop = contiguous.rows;
      for (let row = 0, offset = 0; row < rows; row++, offset += count) rowLoop(a.values, offset, b.values, 0, out, offset, count);
      return out;
    }
    if (bStride === 1) {
      const rows = contiguous.rows;
      forEachRow(layout, (row, offsets) => {
        rows(a.values, offsets[0], b.values, offsets[1], out, row * count, count);
      });
      return out;
    }
  }
  if (rank === 1) {
    rowLoop(a.values, 0, aStride, b.values, 0, bStride, out, 0, count);
    return out;
  }
  forEachRow(layout, (row, offsets) => {
    rowLoop(a.values, offsets[0], aStride, b.values, offsets[1], bStride, out, row * count, count);
  });
  return out;
}

function rowLoopOf(op: BinaryOp, integer: boolean): RowLoop {
  if (integer && op === 'mul') return multiplyInt32;
  if (integer && op === 'div') return floorDivideInt32;
  const rowLoop = ROW_LOOPS[op];
  if (rowLoop === undefined) throw new DendriteError(`binary: unknown op '${String(op)}'`);
  return rowLoop;
}

const ROW_LOOPS: Record<BinaryOp, RowLoop> = {
  add(a, ai, as, b, bi, bs, out, o, count) {
    for (let i = 0; i < count; i++, ai += as, bi += bs) out[o + i] = a[ai] + b[bi];
  },
  sub(a, ai, as, b, bi, bs, out, o, count) {
    for (let i = 0; i < count; i++, ai += as, bi += bs) out[o + i] = a[ai] - b[bi];
  },
  mul(a, ai, as, b, bi, bs, out, o, count) {
    for (let i = 0; i < count; i++, ai += as, bi += bs) out[o + i] = a[ai] * b[bi];
  },
  div(a, ai, as, b, bi, bs, out, o, count) {
    for (let i = 0; i < count; i++, ai += as, bi += bs) out[o + i] = a[ai] / b[bi];
  },
  pow(a, ai, as, b, bi, bs, out, o, count) {
    for (let i = 0; i < count; i++, ai += as, bi += bs) out[o + i] = Math.pow(a[ai], b[bi]);
  },
  maximum(a, ai, as, b, bi, bs, out, o, count) {
    for (let i = 0; i < count; i++, ai += as, bi += bs) out[o + i] = Math.max(a[ai], b[bi]);
  },
  minimum(a, ai, as, b, bi, bs, out, o, count) {
    for (let i = 0; i < count; i++, ai += as, bi += bs) out[o + i] = Math.min(a[ai], b[bi]);
  },
  equal(a, ai, as, b, bi, bs, out, o, count) {
    for (let i = 0; i < count; i++, ai += as, bi += bs) out[o + i] = a[ai] === b[bi] ? 1 : 0;
  },
  notEqual(a, ai, as, b, bi, bs, out, o, count) {
    for (let i = 0; i < count; i++, ai += as, bi += bs) out[o + i] = a[ai] !== b[bi] ? 1 : 0;
  },
  less(a, ai, as, b, bi, bs, out, o, count) {
    for (let i = 0; i < count; i++, ai += as, bi += bs) out[o + i] = a[ai] < b[bi] ? 1 : 0;
  },
  lessEqual(a, ai, as, b, bi, bs, out, o, count) {
    for (let i = 0; i < count; i++, ai += as, bi += bs) out[o + i] = a[ai] <= b[bi] ? 1 : 0;
  },
  greater(a, ai, as, b, bi, bs, out, o, count) {
    for (let i = 0; i < count; i++, ai += as, bi += bs) out[o + i] = a[ai] > b[bi] ? 1 : 0;
  },
  greaterEqual(a, ai, as, b, bi, bs, out, o, count) {
    for (let i = 0; i < count; i++, ai += as, bi += bs) out[o + i] = a[ai] >= b[bi] ? 1 : 0;
  },
};

/** Int32 product with 32-bit wrap-around (a double product would lose the low bits). */
const multiplyInt32: RowLoop = (a, ai, as, b, bi, bs, out, o, count) => {
  for (let i = 0; i < count; i++, ai += as, bi += bs) out[o + i] = Math.imul(a[ai], b[bi]);
};

/** Int32 division rounds toward negative infinity (floor division); x / 0 gives 0. */
const floorDivideInt32: RowLoop = (a, ai, as, b, bi, bs, out, o, count) => {
  for (let i = 0; i < count; i++, ai += as, bi += bs) {
    const divisor = b[bi];
    out[o + i] = divisor === 0 ? 0 : Math.floor(a[ai] / divisor);
  }
};
