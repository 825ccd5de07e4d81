import type { Conv2DInfo, FusedActivation } from '../../../backend/backend.js';
import { DendriteError } from '../../../errors.js';
import type { CpuTensor, KernelContext } from '../kernel-context.js';
import { gemm } from './gemm.js';
import { im2col, isPointwise } from './im2col.js';
import { transposeInto } from './pack.js';
import { requireFloat32 } from './require-float32.js';

/** Floats of im2col scratch per chunk (1 MiB): the patch rows stay in L2 for the product. */
export const COLUMN_CHUNK_BUDGET = 1 << 18;

/** Output rows per im2col chunk for patches of `patchSize` values (a multiple of 4, the tile height). */
export function chunkRows(patchSize: number, budget: number): number {
  return Math.max(4, Math.floor(budget / Math.max(1, patchSize) / 4) * 4);
}

/**
 * NHWC convolution, x [N, H, W, Cin] * filter [kh, kw, Cin, Cout] -> [N, outH, outW, Cout], as
 * im2col + the blocked matrix product: the filter is already the [kh*kw*Cin, Cout] matrix, and the
 * product of the patch rows with it is the NHWC output. Patches are built a chunk of rows at a
 * time so the scratch stays small and hot. The accelerator's direct convolution, when it takes the
 * call, skips im2col altogether. With a bias ([Cout]) and an activation it is the fused
 * `fusedConv2d` kernel: both are applied to each block of the output as it is written.
 */
export function conv2d(
  context: KernelContext, x: CpuTensor, filter: CpuTensor, info: Conv2DInfo,
  bias: CpuTensor | null = null, activation: FusedActivation = 'linear',
): Float32Array {
  const xValues = requireFloat32('conv2d', 'x', x);
  const filterValues = requireFloat32('conv2d', 'filter', filter);
  const biasValues = bias === null ? null : requireFloat32('conv2d', 'bias', bias);
  const rows = info.batch * info.outHeight * info.outWidth;
  const patchSize = info.filterHeight * info.filterWidth * info.inChannels;
  const outChannels = info.outChannels;
  if (biasValues !== null && biasValues.length !== outChannels) {
    throw new DendriteError(`fusedConv2d: bias has ${biasValues.length} values but the convolution has ${outChannels} output channels`);
  }
  const out = context.allocateFloat32(rows * outChannels);
  const fused = biasValues !== null || activation !== 'linear';
  if (fused ? context.accelerator?.conv2d?.(xValues, filterValues, out, info, biasValues, activation)
    : context.accelerator?.conv2d?.(xValues, filterValues, out, info)) return out;
  if (isPointwise(info)) {
    gemm(context.accelerator, xValues, 0, filterValues, 0, out, 0, rows, outChannels, patchSize, false, false, biasValues, activation);
    return out;
  }
  // For the TypeScript kernel the filter is transposed once ([Cout, patch]) so no chunk packs it
  // again; the accelerator packs its own and reads the filter where it is, without a copy.
  let filterOperand = filterValues;
  const filterTransposed = context.accelerator === null;
  if (filterTransposed) {
    filterOperand = new Float32Array(patchSize * outChannels);
    transposeInto(filterValues, 0, patchSize, outChannels, filterOperand, 0);
  }
  const chunk = chunkRows(patchSize, COLUMN_CHUNK_BUDGET);
  const columns = context.allocateFloat32(Math.min(rows, chunk) * patchSize);
  for (let rowBegin = 0; rowBegin < rows; rowBegin += chunk) {
    const rowEnd = Math.min(rows, rowBegin + chunk);
    im2col(xValues, info, rowBegin, rowEnd, columns);
    gemm(context.accelerator, columns, 0, filterOperand, 0, out, rowBegin * outChannels,
      rowEnd - rowBegin, outChannels, patchSize, false, filterTransposed, biasValues, activation);
  }
  context.release(columns);
  return out;
}
