import type { TypedArray } from '../../../backend/backend.js';
import { broadcastStrides } from '../broadcast.js';
import type { CpuTensor, KernelContext } from '../kernel-context.js';
import { productOfRange, sizeOfShape } from '../strides.js';
import { gemm } from './gemm.js';
import { transposeInto } from './pack.js';

/**
 * Batched matrix product (see `Kernels.matmul`): a [...batchA, M, K] (or [..., K, M] when
 * transposeA), b [...batchB, K, N] (or [..., N, K]), batch dims broadcast to `outShape`. Int32
 * inputs are multiplied in float32 and rounded back.
 */
export function matmul(
  context: KernelContext, a: CpuTensor, b: CpuTensor,
  transposeA: boolean, transposeB: boolean, outShape: readonly number[],
): TypedArray {
  const rank = outShape.length;
  const m = outShape[rank - 2];
  const n = outShape[rank - 1];
  const k = transposeA ? a.shape[rank - 2] : a.shape[rank - 1];
  const outSize = sizeOfShape(outShape);
  const aValues = asFloat32(a.values);
  const bValues = asFloat32(b.values);
  const out = a.dtype === 'float32' && b.dtype === 'float32'
    ? context.allocateFloat32(outSize) : new Float32Array(outSize);

  const batchShape = outShape.slice(0, rank - 2);
  const batchCount = sizeOfShape(batchShape);
  const aBatchSize = productOfRange(a.shape, 0, rank - 2);
  const bBatchSize = productOfRange(b.shape, 0, rank - 2);

  if (batchCount <= 1) {
    gemm(context.accelerator, aValues, 0, bValues, 0, out, 0, m, n, k, transposeA, transposeB);
  } else if (bBatchSize === 1 && aBatchSize === batchCount && !transposeA) {
    // One shared B (a dense layer over a batch of sequences): fold the batch into the rows.
    gemm(context.accelerator, aValues, 0, bValues, 0, out, 0, batchCount * m, n, k, false, transposeB);
  } else {
    multiplyBatches(context, aValues, bValues, out, a.shape, b.shape, batchShape, m, n, k, transposeA, transposeB);
  }

  if (a.dtype === 'float32' && b.dtype === 'float32') return out;
  const rounded = context.allocate(outSize, 'int32');
  for (let index = 0; index < outSize; index++) rounded[index] = Math.round(out[index]);
  return rounded;
}

function multiplyBatches(
  context: KernelContext, aValues: Float32Array, bValues: Float32Array, out: Float32Array,
  aShape: readonly number[], bShape: readonly number[], batchShape: number[],
  m: number, n: number, k: number, transposeA: boolean, transposeB: boolean,
): void {
  const rank = aShape.length;
  const aStrides = broadcastStrides(aShape.slice(0, rank - 2), batchShape);
  const bStrides = broadcastStrides(bShape.slice(0, rank - 2), batchShape);
  const aMatrixSize = m * k;
  const bMatrixSize = k * n;
  const batchCount = sizeOfShape(batchShape);
  const counter = new Array<number>(batchShape.length).fill(0);
  let aBatch = 0;
  let bBatch = 0;
  // A B shared by consecutive batches is transposed once and reused (the accelerator packs its own).
  let packedB: Float32Array | null = null;
  let packedBatch = -1;
  const packB = !transposeB && m >= 4 && context.accelerator === null;
  for (let batch = 0; batch < batchCount; batch++) {
    const outOffset = batch * m * n;
    if (packB) {
      if (packedBatch !== bBatch) {
        packedB ??= new Float32Array(bMatrixSize);
        transposeInto(bValues, bBatch * bMatrixSize, k, n, packedB, 0);
        packedBatch = bBatch;
      }
      gemm(context.accelerator, aValues, aBatch * aMatrixSize, packedB!, 0, out, outOffset, m, n, k, transposeA, true);
    } else {
      gemm(context.accelerator, aValues, aBatch * aMatrixSize, bValues, bBatch * bMatrixSize, out, outOffset,
        m, n, k, transposeA, transposeB);
    }
    for (let axis = batchShape.length - 1; axis >= 0; axis--) {
      counter[axis]++;
      aBatch += aStrides[axis];
      bBatch += bStrides[axis];
      if (counter[axis] < batchShape[axis]) break;
      aBatch -= aStrides[axis] * batchShape[axis];
      bBatch -= bStrides[axis] * batchShape[axis];
      counter[axis] = 0;
    }
  }
}

function asFloat32(values: TypedArray): Float32Array {
  return values instanceof Float32Array ? values : Float32Array.from(values);
}
