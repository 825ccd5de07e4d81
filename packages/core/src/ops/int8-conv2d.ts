import type { Conv2DInfo } from '../backend/backend.js';
import { engine } from '../engine.js';
import { check } from '../errors.js';
import { formatShape } from '../shape.js';
import type { Tensor } from '../tensor.js';
import { abs } from './abs.js';
import { add } from './add.js';
import { cast } from './cast.js';
import { checkOptions, checkTensor } from './check-arguments.js';
import { clip } from './clip.js';
import { convGeometry, type Pair, type Padding } from './conv-geometry.js';
import { conv2dWithInfo } from './conv2d.js';
import { scalar } from './creation.js';
import { div } from './div.js';
import { floor } from './floor.js';
import { max } from './max.js';
import { maximum } from './maximum.js';
import { mul } from './mul.js';
import { relu } from './relu.js';
import { composite } from './util.js';

/** Options of {@link int8Conv2d}: geometry, bias, fused relu and a calibrated input scale. */
export interface Int8Conv2DOptions {
  stride?: Pair;
  padding?: Padding;
  dilation?: Pair;
  /** Float32 bias [outChannels], added after dequantizing. */
  bias?: Tensor | null;
  /** 'relu' is fused; any other activation is the caller's to apply (default 'linear'). */
  activation?: 'linear' | 'relu';
  /**
   * A fixed (calibrated) activation scale: x is quantized as round(x / inputScale). Omitted or 0:
   * dynamic, each image with its own scale max|image| / 127.
   */
  inputScale?: number;
}

/** The smallest image maximum used for a dynamic scale, so an all-zero image quantizes to zeros, not NaN. */
const MIN_IMAGE_MAXIMUM = Math.fround(1e-30);

/**
 * Inference convolution with int8 weights (groups 1): each image of NHWC float32 `x` is quantized
 * to int8 (its own scale max|image| / 127, or a calibrated `inputScale`) as
 * clamp(floor(x / scale + 0.5), -127, 127), convolved with `filter` [kh, kw, in, out] (int32
 * holding int8 values, quantized per output channel) in exact integer arithmetic, and each sum is
 * scaled back by imageScale · filterScales[out], plus bias, then relu if asked. The CPU backend
 * runs a WebAssembly SIMD integer kernel (im2col rows of the quantized image times the packed
 * filter with i32x4.dot_i16x8_s); other backends compose it from float ops, with the same values
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
  checkOptions(op, options);
  const bias = options.bias ?? null;
  if (bias !== null) checkTensor(op, 'bias', bias);
  const activation = options.activation ?? 'linear';
  const inputScale = options.inputScale ?? 0;
  check(activation === 'linear' || activation === 'relu', op, () => `activation must be 'linear' or 'relu', got ${JSON.stringify(activation)}`);
  check(Number.isFinite(inputScale) && inputScale >= 0, op, () => `inputScale must be a finite number >= 0, got ${inputScale}`);
  check(x.rank === 4 && x.dtype === 'float32', op, () => `x must be float32 NHWC [batch, height, width, channels], got ${x.dtype} ${formatShape(x.shape)}`);
  check(filter.rank === 4 && filter.dtype === 'int32', op, () => `filter must be int32 [kh, kw, in, out], got ${filter.dtype} ${formatShape(filter.shape)}`);
  const info = convGeometry(op, x.shape, filter.shape, options.stride ?? 1, options.padding ?? 'valid', options.dilation ?? 1);
  const outChannels = filter.shape[3];
  check(filterScales.rank === 1 && filterScales.shape[0] === outChannels && filterScales.dtype === 'float32', op, () =>
    `filterScales must be float32 [${outChannels}], got ${filterScales.dtype} ${formatShape(filterScales.shape)}`);
  check(bias === null || (bias.rank === 1 && bias.shape[0] === outChannels && bias.dtype === 'float32'), op, () =>
    `bias must be float32 [${outChannels}], got ${bias!.dtype} ${formatShape(bias!.shape)}`);
  const backend = engine.backend;
  if (!backend.int8Conv2d) return composite(op, () => composed(x, filter, filterScales, bias, info, activation === 'relu', inputScale));
  const inputs = bias ? [x, filter, filterScales, bias] : [x, filter, filterScales];
  return engine.runOp({
    name: op, inputs, shape: [info.batch, info.outHeight, info.outWidth, outChannels], dtype: 'float32',
    kernel: (kernels, [xInfo, fInfo, sInfo, bInfo]) => kernels.int8Conv2d!(xInfo, fInfo, sInfo, bInfo ?? null, info, activation === 'relu', inputScale),
  });
}

/** The same computation in float ops: integer-valued floats multiply exactly while kh·kw·in·127² < 2²⁴. */
function composed(x: Tensor, filter: Tensor, filterScales: Tensor, bias: Tensor | null, info: Conv2DInfo, useRelu: boolean, inputScale: number): Tensor {
  let scale: Tensor;
  let inverse: Tensor;
  if (inputScale > 0) {
    scale = scalar(Math.fround(inputScale));
    inverse = scalar(Math.fround(1 / Math.fround(inputScale)));
  } else {
    const imageMaximum = maximum(max(abs(x), [1, 2, 3], true), MIN_IMAGE_MAXIMUM);
    scale = div(imageMaximum, 127);
    inverse = div(127, imageMaximum);
  }
  const quantized = clip(floor(add(mul(x, inverse), 0.5)), -127, 127);
  const sums = conv2dWithInfo(quantized, cast(filter, 'float32'), info);
  let y = mul(sums, mul(scale, filterScales));
  if (bias !== null) y = add(y, bias);
  return useRelu ? relu(y) : y;
}
