import type { Conv2DInfo } from '../../../backend/backend.js';
import { DendriteError } from '../../../errors.js';
import type { CpuTensor, KernelContext } from '../kernel-context.js';
import { quantizeInt8 } from './int8-linear.js';
import { requireFloat32 } from './require-float32.js';

/**
 * out [N, outH, outW, Cout] = activation(conv(q(x), filter) · imageScale · filterScales[c] + bias[c]):
 * each image of NHWC x is quantized to int8 with its own scale (max|image| / 127, or `inputScale`
 * when > 0) as clamp(floor(x / scale + 0.5), -127, 127), convolved with the int8-valued filter
 * [kh, kw, Cin, Cout] (int32) in exact integer arithmetic (zero outside the image), and each sum is
 * scaled back per output channel. With `pool` [ph, pw], the result is then max-pooled over
 * non-overlapping ph × pw windows ('valid': out [N, floor(outH/ph), floor(outW/pw), Cout]). Every
 * float step rounds to float32 in the order assembly/int8.ts uses, so the accelerator's result is
 * bit-identical to this reference.
 */
export function int8Conv2d(
  context: KernelContext, x: CpuTensor, filter: CpuTensor, filterScales: CpuTensor, bias: CpuTensor | null,
  info: Conv2DInfo, relu: boolean, inputScale: number, pool: readonly [number, number] | null = null,
): Float32Array {
  const xValues = requireFloat32('int8Conv2d', 'x', x);
  const scaleValues = requireFloat32('int8Conv2d', 'filterScales', filterScales);
  const biasValues = bias === null ? null : requireFloat32('int8Conv2d', 'bias', bias);
  if (!(filter.values instanceof Int32Array)) throw new DendriteError(`int8Conv2d: filter must be int32 holding int8 values, got ${filter.dtype}`);
  const filterValues = filter.values;
  const { batch, inHeight, inWidth, inChannels, outHeight, outWidth, outChannels, filterHeight, filterWidth } = info;
  const [poolHeight, poolWidth] = pool ?? [1, 1];
  const pooledHeight = Math.floor(outHeight / poolHeight);
  const pooledWidth = Math.floor(outWidth / poolWidth);
  const pooled = context.allocateFloat32(batch * pooledHeight * pooledWidth * outChannels);
  if (context.accelerator?.int8Conv2d?.(xValues, filterValues, scaleValues, biasValues, pooled, info, inputScale, relu, pool)) return pooled;
  const out = pool === null ? pooled : new Float32Array(batch * outHeight * outWidth * outChannels);
  const imageLength = inHeight * inWidth * inChannels;
  const quantized = new Int32Array(imageLength);
  const sums = new Float64Array(outChannels);
  for (let image = 0; image < batch; image++) {
    const scale = quantizeInt8(xValues, image * imageLength, imageLength, inputScale, quantized);
    for (let oy = 0; oy < outHeight; oy++) {
      for (let ox = 0; ox < outWidth; ox++) {
        sums.fill(0);
        for (let fy = 0; fy < filterHeight; fy++) {
          const iy = oy * info.strideHeight + fy * info.dilationHeight - info.padTop;
          if (iy < 0 || iy >= inHeight) continue;
          for (let fx = 0; fx < filterWidth; fx++) {
            const ix = ox * info.strideWidth + fx * info.dilationWidth - info.padLeft;
            if (ix < 0 || ix >= inWidth) continue;
            const pixel = (iy * inWidth + ix) * inChannels;
            const filterBase = (fy * filterWidth + fx) * inChannels * outChannels;
            for (let c = 0; c < inChannels; c++) {
              const value = quantized[pixel + c];
              if (value === 0) continue;
              const row = filterBase + c * outChannels;
              for (let o = 0; o < outChannels; o++) sums[o] += value * filterValues[row + o];
            }
          }
        }
        const outBase = ((image * outHeight + oy) * outWidth + ox) * outChannels;
        for (let o = 0; o < outChannels; o++) {
          let value = Math.fround(Math.fround(sums[o]) * Math.fround(scale * scaleValues[o]));
          if (biasValues !== null) value = Math.fround(value + biasValues[o]);
          out[outBase + o] = relu && value <= 0 ? 0 : value;
        }
      }
    }
  }
  if (pool === null) return out;
  for (let image = 0; image < batch; image++) {
    for (let py = 0; py < pooledHeight; py++) {
      for (let px = 0; px < pooledWidth; px++) {
        const pooledBase = ((image * pooledHeight + py) * pooledWidth + px) * outChannels;
        for (let o = 0; o < outChannels; o++) {
          let best = -Infinity;
          for (let wy = 0; wy < poolHeight; wy++) {
            for (let wx = 0; wx < poolWidth; wx++) {
              best = Math.max(best, out[((image * outHeight + py * poolHeight + wy) * outWidth + px * poolWidth + wx) * outChannels + o]);
            }
          }
          pooled[pooledBase + o] = best;
        }
      }
    }
  }
  return pooled;
}
