import type { Conv2DInfo } from '../../../backend/backend.js';
import type { CpuTensor, KernelContext } from '../kernel-context.js';
import { chunkRows } from './conv2d.js';
import { gemm } from './gemm.js';
import { im2col, isPointwise } from './im2col.js';
import { requireFloat32 } from './require-float32.js';

/** Floats of im2col scratch per chunk here (4 MiB): each chunk's product is added up, so fewer is cheaper. */
const FILTER_CHUNK_BUDGET = 1 << 20;

/**
 * Gradient of conv2d with respect to the filter: Σ over chunks of patch rows of
 * patchesᵀ [kh*kw*Cin, rows] @ dy [rows, Cout], which is the [kh, kw, Cin, Cout] filter layout
 * (or the accelerator's direct kernel, which reads the patches from x in place).
 */
export function conv2dBackpropFilter(
  context: KernelContext, x: CpuTensor, dy: CpuTensor, info: Conv2DInfo,
): Float32Array {
  const xValues = requireFloat32('conv2dBackpropFilter', 'x', x);
  const dyValues = requireFloat32('conv2dBackpropFilter', 'dy', dy);
  const rows = info.batch * info.outHeight * info.outWidth;
  const patchSize = info.filterHeight * info.filterWidth * info.inChannels;
  const outChannels = info.outChannels;
  const filterSize = patchSize * outChannels;
  const dFilter = context.allocateFloat32(filterSize);
  if (context.accelerator?.conv2dBackpropFilter?.(xValues, dyValues, dFilter, info)) return dFilter;
  if (isPointwise(info)) {
    gemm(context.accelerator, xValues, 0, dyValues, 0, dFilter, 0, patchSize, outChannels, rows, true, false);
    return dFilter;
  }
  if (rows === 0) {
    dFilter.fill(0);
    return dFilter;
  }
  const chunk = chunkRows(patchSize, FILTER_CHUNK_BUDGET);
  const columns = context.allocateFloat32(Math.min(rows, chunk) * patchSize);
  const partial = rows > chunk ? context.allocateFloat32(filterSize) : null;
  for (let rowBegin = 0; rowBegin < rows; rowBegin += chunk) {
    const rowEnd = Math.min(rows, rowBegin + chunk);
    im2col(xValues, info, rowBegin, rowEnd, columns);
    const target = rowBegin === 0 ? dFilter : partial!;
    gemm(context.accelerator, columns, 0, dyValues, rowBegin * outChannels, target, 0,
      patchSize, outChannels, rowEnd - rowBegin, true, false);
    if (target !== dFilter) for (let i = 0; i < filterSize; i++) dFilter[i] += target[i];
  }
  context.release(columns);
  if (partial !== null) context.release(partial);
  return dFilter;
}
