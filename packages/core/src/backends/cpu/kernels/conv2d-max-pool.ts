import type { Conv2DInfo, FusedActivation } from '../../../backend/backend.js';
import { DendriteError } from '../../../errors.js';
import type { CpuTensor, KernelContext } from '../kernel-context.js';
import { conv2d } from './conv2d.js';
import { requireFloat32 } from './require-float32.js';

/**
 * A convolution layer and the 2x2 max pool (stride 2) after it: pooled = maxPool2d(activation(
 * conv2d(x, filter) + bias), 2) and, for each pooled value, the flat index of its cell in the
 * [N, outH, outW, Cout] convolution output, the first maximal cell of its window in row-major order
 * (pool2dBackward's choice: a later cell wins when strictly greater, or when it is NaN and the best
 * is not). The accelerator's kernel pools each tile in registers and never writes the convolution
 * output; this reference computes it (the fused conv2d kernel) and pools it, with the same bits.
 */
export function conv2dMaxPool(
  context: KernelContext, x: CpuTensor, filter: CpuTensor, info: Conv2DInfo, bias: CpuTensor | null, activation: FusedActivation,
): [Float32Array, Int32Array] {
  const xValues = requireFloat32('conv2dMaxPool', 'x', x);
  const filterValues = requireFloat32('conv2dMaxPool', 'filter', filter);
  const biasValues = bias === null ? null : requireFloat32('conv2dMaxPool', 'bias', bias);
  const { batch, outHeight, outWidth, outChannels } = info;
  if (biasValues !== null && biasValues.length !== outChannels) {
    throw new DendriteError(`conv2dMaxPool: bias has ${biasValues.length} values but the convolution has ${outChannels} output channels`);
  }
  const pooledHeight = Math.floor(outHeight / 2);
  const pooledWidth = Math.floor(outWidth / 2);
  const pooledLength = batch * pooledHeight * pooledWidth * outChannels;
  const pooled = context.allocateFloat32(pooledLength);
  const indices = context.allocate(pooledLength, 'int32') as Int32Array;
  if (context.accelerator?.conv2dMaxPool?.(xValues, filterValues, biasValues, activation, info, pooled, indices)) return [pooled, indices];
  // Shapes the fused kernel declines: the convolution by whichever kernel takes it, then the pool.
  const convolved = conv2d(context, x, filter, info, bias, activation);
  if (context.accelerator?.maxPoolWithIndices?.(convolved, pooled, indices, batch, outHeight, outWidth, outChannels)) {
    context.release(convolved);
    return [pooled, indices];
  }
  const rowStep = outWidth * outChannels;
  let target = 0;
  for (let image = 0; image < batch; image++) {
    for (let pooledY = 0; pooledY < pooledHeight; pooledY++) {
      for (let pooledX = 0; pooledX < pooledWidth; pooledX++) {
        const first = ((image * outHeight + pooledY * 2) * outWidth + pooledX * 2) * outChannels;
        for (let channel = 0; channel < outChannels; channel++, target++) {
          let bestIndex = first + channel;
          let best = convolved[bestIndex];
          for (const cell of [bestIndex + outChannels, bestIndex + rowStep, bestIndex + rowStep + outChannels]) {
            const value = convolved[cell];
            if (value > best || (value !== value && best === best)) {
              best = value;
              bestIndex = cell;
            }
          }
          pooled[target] = best;
          indices[target] = bestIndex;
        }
      }
    }
  }
  context.release(convolved);
  return [pooled, indices];
}

/**
 * The gradient of a max pool with non-overlapping windows, from the indices conv2dMaxPool gave:
 * float32 zeros of `shape` ([N, ...]) with each dy value stored (not added: no two share a cell)
 * at its index. An index outside its own image (the first axis) is ignored, here and in the
 * accelerator's kernel, so the images scatter independently and nothing is written out of bounds.
 */
export function maxPoolScatter(context: KernelContext, dy: CpuTensor, indices: CpuTensor, shape: readonly number[]): Float32Array {
  const dyValues = requireFloat32('maxPoolScatter', 'dy', dy);
  if (!(indices.values instanceof Int32Array)) throw new DendriteError('maxPoolScatter: indices must be int32');
  const indexValues = indices.values;
  const batch = shape[0] ?? 0;
  const length = shape.reduce((size, dim) => size * dim, 1);
  if (indexValues.length !== dyValues.length) {
    throw new DendriteError(`maxPoolScatter: ${dyValues.length} gradient values but ${indexValues.length} indices`);
  }
  if (batch === 0 || dyValues.length % batch !== 0) {
    throw new DendriteError(`maxPoolScatter: ${dyValues.length} gradient values do not split into ${batch} images`);
  }
  const cellsPerImage = length / batch;
  const pooledPerImage = dyValues.length / batch;
  const dx = context.allocateFloat32(length);
  if (context.accelerator?.maxPoolScatter?.(dyValues, indexValues, dx, batch, pooledPerImage, cellsPerImage)) return dx;
  dx.fill(0);
  for (let image = 0, i = 0; image < batch; image++) {
    const first = image * cellsPerImage;
    for (let end = i + pooledPerImage; i < end; i++) {
      const index = indexValues[i];
      if (index >= first && index < first + cellsPerImage) dx[index] = dyValues[i];
    }
  }
  return dx;
}
