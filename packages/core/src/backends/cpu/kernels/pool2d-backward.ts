import type { Pool2DInfo, PoolMode } from '../../../backend/backend.js';
import type { CpuTensor, KernelContext } from '../kernel-context.js';
import { windowBounds, type WindowBounds } from './pool2d.js';
import { requireFloat32 } from './require-float32.js';

/**
 * Gradient of pool2d with respect to x. Max sends each dy to the first maximal cell of its window
 * (row-major window order, the cell the forward pass picked); average spreads dy evenly over the
 * window's in-bounds cells. Overlapping windows accumulate.
 */
export function pool2dBackward(
  context: KernelContext, dy: CpuTensor, x: CpuTensor, info: Pool2DInfo, mode: PoolMode,
): Float32Array {
  const dyValues = requireFloat32('pool2dBackward', 'dy', dy);
  const xValues = requireFloat32('pool2dBackward', 'x', x);
  const { batch, inHeight, inWidth, channels, outHeight, outWidth } = info;
  const dx = context.allocateFloat32(batch * inHeight * inWidth * channels);
  if (context.accelerator?.pool2dBackward?.(dyValues, xValues, dx, info, mode)) return dx;
  dx.fill(0);
  const bounds: WindowBounds = { yBegin: 0, yEnd: 0, xBegin: 0, xEnd: 0 };
  // Per channel: the best value so far and where it sits in x.
  const bestValue = new Float64Array(channels);
  const bestIndex = new Int32Array(channels);
  let source = 0;
  for (let image = 0; image < batch; image++) {
    const imageBase = image * inHeight;
    for (let outY = 0; outY < outHeight; outY++) {
      for (let outX = 0; outX < outWidth; outX++, source += channels) {
        windowBounds(info, outY, outX, bounds);
        const cells = (bounds.yEnd - bounds.yBegin) * (bounds.xEnd - bounds.xBegin);
        if (cells <= 0) continue;
        if (mode === 'avg') {
          const scale = 1 / cells;
          for (let y = bounds.yBegin; y < bounds.yEnd; y++) {
            for (let x = bounds.xBegin; x < bounds.xEnd; x++) {
              const target = ((imageBase + y) * inWidth + x) * channels;
              for (let c = 0; c < channels; c++) dx[target + c] += dyValues[source + c] * scale;
            }
          }
          continue;
        }
        bestValue.fill(-Infinity);
        bestIndex.fill(-1);
        for (let y = bounds.yBegin; y < bounds.yEnd; y++) {
          for (let x = bounds.xBegin; x < bounds.xEnd; x++) {
            const cell = ((imageBase + y) * inWidth + x) * channels;
            for (let c = 0; c < channels; c++) {
              const value = xValues[cell + c];
              // Same rule as the forward max: strictly greater, or the first NaN.
              if (bestIndex[c] < 0 || value > bestValue[c] || (value !== value && bestValue[c] === bestValue[c])) {
                bestValue[c] = value;
                bestIndex[c] = cell + c;
              }
            }
          }
        }
        for (let c = 0; c < channels; c++) dx[bestIndex[c]] += dyValues[source + c];
      }
    }
  }
  return dx;
}
