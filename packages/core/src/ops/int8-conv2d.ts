import { engine } from '../engine.js';
import { check } from '../errors.js';
import { formatShape } from '../shape.js';
import type { Tensor } from '../tensor.js';
import { cast } from './cast.js';
import { checkTensor } from './check-arguments.js';
import { convGeometry, pair, type Pair, type Padding } from './conv-geometry.js';
import { conv2dWithInfo } from './conv2d.js';
import { checkChannelVector, checkInt8Options, composedInt8, type Int8CommonOptions } from './int8-quantize.js';
import { maxPool2d } from './pool2d.js';
import { composite } from './util.js';

/** Options of {@link int8Conv2d}: geometry, bias, fused relu and max pool, and a calibrated input scale (per image when dynamic). */
export interface Int8Conv2DOptions extends Int8CommonOptions {
  stride?: Pair;
  padding?: Padding;
  dilation?: Pair;
  /**
   * A fused max pool after the activation: non-overlapping windows of this size (stride = size,
   * 'valid'), as `maxPool2d(y, maxPool)`. The kernel takes the maximum of each window's int32 sums
   * and dequantizes it once — exact, since dequantizing (a positive scale), bias and relu never
   * reverse an order.
   */
  maxPool?: Pair;
}

/**
 * Inference convolution with int8 weights (groups 1): each image of NHWC float32 `x` is quantized
 * to int8 (its own scale max|image| / 127, or a calibrated `inputScale`) as
 * clamp(floor(x / scale + 0.5), -127, 127), convolved with `filter` [kh, kw, in, out] (int32
 * holding int8 values, quantized per output channel) in exact integer arithmetic, and each sum is
 * scaled back by imageScale · filterScales[out], plus bias, then relu if asked. The CPU backend
 * runs a WebAssembly SIMD integer kernel (im2col rows of the quantized image times the packed
 * filter with i32x4.dot_i16x8_s, pairs of quantized inputs against 4 output channels' weights,
 * directly on the quantized image); other backends compose it from float ops, with the same values
 * while kh·kw·in·127² < 2²⁴. No gradient flows through it: it is for inference.
 *
 * @example
 * ```ts
 * const y = int8Conv2d(images, filter, filterScales, { padding: 'same', bias, activation: 'relu' });
 * ```
 */
export function int8Conv2d(x: Tensor, filter: Tensor, filterScales: Tensor, options: Int8Conv2DOptions = {}): Tensor {
  const op = 'int8Conv2d';
  checkTensor(op, 'x', x);
  checkTensor(op, 'filter', filter);
  checkTensor(op, 'filterScales', filterScales);
  const resolved = checkInt8Options(op, options);
  const { bias, useRelu, inputScale } = resolved;
  check(x.rank === 4 && x.dtype === 'float32', op, () => `x must be float32 NHWC [batch, height, width, channels], got ${x.dtype} ${formatShape(x.shape)}`);
  check(filter.rank === 4 && filter.dtype === 'int32', op, () => `filter must be int32 [kh, kw, in, out], got ${filter.dtype} ${formatShape(filter.shape)}`);
  const info = convGeometry(op, x.shape, filter.shape, options.stride ?? 1, options.padding ?? 'valid', options.dilation ?? 1);
  const outChannels = filter.shape[3];
  checkChannelVector(op, 'filterScales', filterScales, outChannels);
  checkChannelVector(op, 'bias', bias, outChannels);
  let pool: [number, number] | null = null;
  if (options.maxPool !== undefined) {
    const window = options.maxPool;
    check((typeof window === 'number' || (Array.isArray(window) && window.length === 2)) && pair(window).every((v) => Number.isInteger(v) && v > 0), op,
      () => `maxPool must be a positive integer or a pair of them, got ${JSON.stringify(window)}`);
    pool = pair(window);
    check(pool[0] <= info.outHeight && pool[1] <= info.outWidth, op,
      () => `maxPool ${pool!.join('x')} is larger than the convolution's ${info.outHeight}x${info.outWidth} output`);
  }
  const backend = engine.backend;
  if (!backend.int8Conv2d) {
    return composite(op, () => {
      const y = composedInt8(x, [1, 2, 3], (q) => conv2dWithInfo(q, cast(filter, 'float32'), info), filterScales, resolved);
      return pool === null ? y : maxPool2d(y, pool);
    });
  }
  const inputs = bias ? [x, filter, filterScales, bias] : [x, filter, filterScales];
  const [poolHeight, poolWidth] = pool ?? [1, 1];
  return engine.runOp({
    name: op, inputs, shape: [info.batch, Math.floor(info.outHeight / poolHeight), Math.floor(info.outWidth / poolWidth), outChannels], dtype: 'float32',
    kernel: (kernels, [xInfo, fInfo, sInfo, bInfo]) => kernels.int8Conv2d!(xInfo, fInfo, sInfo, bInfo ?? null, info, useRelu, inputScale, pool),
  });
}
