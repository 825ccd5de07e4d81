import type { Pool2DInfo, PoolMode } from '../../../backend/backend.js';
import type { CpuTensor, KernelContext } from '../kernel-context.js';
import { requireFloat32 } from './require-float32.js';

/** The in-bounds part of one pooling window: [yBegin, yEnd) x [xBegin, xEnd) of the input. */
export interface WindowBounds {
  yBegin: number;
  yEnd: number;
  xBegin: number;
  xEnd: number;
}

/** Clip the window of output cell (outY, outX) to the input, writing into `bounds`. */
export function windowBounds(info: Pool2DInfo, outY: number, outX: number, bounds: WindowBounds): void {
  const y0 = outY * info.strideHeight - info.padTop;
  const x0 = outX * info.strideWidth - info.padLeft;
  bounds.yBegin = Math.max(0, y0);
  bounds.yEnd = Math.min(info.inHeight, y0 + info.filterHeight);
  bounds.xBegin = Math.max(0, x0);
  bounds.xEnd = Math.min(info.inWidth, x0 + info.filterWidth);
}

/**
 * Max or average pooling over NHWC x. Each output cell accumulates its window's input cells
 * channel-vectorised (C contiguous values at a time); the average divides by the number of
 * in-bounds cells, and a window entirely in the padding gives 0. The accelerator's SIMD kernel,
 * when present, gives the same bits.
 */
export function pool2d(context: KernelContext, x: CpuTensor, info: Pool2DInfo, mode: PoolMode): Float32Array {
  const values = requireFloat32('pool2d', 'x', x);
  const { batch, inHeight, inWidth, channels, outHeight, outWidth } = info;
  const out = context.allocateFloat32(batch * outHeight * outWidth * channels);
  if (context.accelerator?.pool2d?.(values, out, info, mode)) return out;
  const bounds: WindowBounds = { yBegin: 0, yEnd: 0, xBegin: 0, xEnd: 0 };
  const isMax = mode === 'max';
  let target = 0;
  for (let image = 0; image < batch; image++) {
    const imageBase = image * inHeight;
    for (let outY = 0; outY < outHeight; outY++) {
      for (let outX = 0; outX < outWidth; outX++, target += channels) {
        windowBounds(info, outY, outX, bounds);
        const cells = (bounds.yEnd - bounds.yBegin) * (bounds.xEnd - bounds.xBegin);
        if (cells <= 0) {
          out.fill(0, target, target + channels);
          continue;
        }
        out.fill(isMax ? -Infinity : 0, target, target + channels);
        for (let y = bounds.yBegin; y < bounds.yEnd; y++) {
          for (let x = bounds.xBegin; x < bounds.xEnd; x++) {
            const source = ((imageBase + y) * inWidth + x) * channels;
            if (isMax) {
              for (let c = 0; c < channels; c++) {
                const value = values[source + c];
                if (value > out[target + c] || value !== value) out[target + c] = value;
              }
            } else {
              for (let c = 0; c < channels; c++) out[target + c] += values[source + c];
            }
          }
        }
        if (!isMax) {
          const scale = 1 / cells;
          for (let c = 0; c < channels; c++) out[target + c] *= scale;
        }
      }
    }
  }
  return out;
}
