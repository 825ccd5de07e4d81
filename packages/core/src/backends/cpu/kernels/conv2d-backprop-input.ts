import type { Conv2DInfo } from '../../../backend/backend.js';
import type { CpuTensor, KernelContext } from '../kernel-context.js';
import { chunkRows, COLUMN_CHUNK_BUDGET } from './conv2d.js';
import { gemm } from './gemm.js';
import { col2im, isPointwise } from './im2col.js';
import { requireFloat32 } from './require-float32.js';

/**
 * Gradient of conv2d with respect to x (also the transposed convolution): the patch gradients
 * dy [rows, Cout] @ filterᵀ [Cout, kh*kw*Cin], added back onto the input positions by col2im.
 * The filter matrix [patch, Cout] already is the Bᵀ layout the product wants, so nothing is packed.
 * The accelerator's direct kernel (stride 1: a convolution of the padded dy) is tried first.
 */
export function conv2dBackpropInput(
  context: KernelContext, dy: CpuTensor, filter: CpuTensor, info: Conv2DInfo,
): Float32Array {
  const dyValues = requireFloat32('conv2dBackpropInput', 'dy', dy);
  const filterValues = requireFloat32('conv2dBackpropInput', 'filter', filter);
  const rows = info.batch * info.outHeight * info.outWidth;
  const patchSize = info.filterHeight * info.filterWidth * info.inChannels;
  const outChannels = info.outChannels;
  const inputSize = info.batch * info.inHeight * info.inWidth * info.inChannels;
  const accelerator = context.accelerator;
  if (accelerator?.conv2dBackpropInput !== undefined) {
    const dx = context.allocateFloat32(inputSize);
    if (accelerator.conv2dBackpropInput(dyValues, filterValues, dx, info)) return dx;
    context.release(dx);
  }
  if (isPointwise(info)) {
    const dx = context.allocateFloat32(inputSize);
    gemm(context.accelerator, dyValues, 0, filterValues, 0, dx, 0, rows, patchSize, outChannels, false, true);
    return dx;
  }
  const dx = context.allocateZeroed(inputSize, 'float32') as Float32Array;
  const chunk = chunkRows(patchSize, COLUMN_CHUNK_BUDGET);
  const columns = context.allocateFloat32(Math.min(rows, chunk) * patchSize);
  for (let rowBegin = 0; rowBegin < rows; rowBegin += chunk) {
    const rowEnd = Math.min(rows, rowBegin + chunk);
    gemm(context.accelerator, dyValues, rowBegin * outChannels, filterValues, 0, columns, 0,
      rowEnd - rowBegin, patchSize, outChannels, false, true);
    col2im(columns, info, rowBegin, rowEnd, dx);
  }
  context.release(columns);
  return dx;
}
