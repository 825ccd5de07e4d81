// What int8Linear and int8Conv2d share: their options' checks, the per-channel vectors' checks, and
// the float-op form of the quantize → integer product → dequantize chain (their composed fallback).
import { check } from '../errors.js';
import { formatShape } from '../shape.js';
import type { Tensor } from '../tensor.js';
import { abs } from './abs.js';
import { add } from './add.js';
import { checkOptions, checkTensor } from './check-arguments.js';
import { clip } from './clip.js';
import { scalar } from './creation.js';
import { div } from './div.js';
import { floor } from './floor.js';
import { max } from './max.js';
import { maximum } from './maximum.js';
import { mul } from './mul.js';
import { relu } from './relu.js';

/** The options both int8 ops take. */
export interface Int8CommonOptions {
  /** Float32 bias [out], added after dequantizing. */
  bias?: Tensor | null;
  /** 'relu' is fused; any other activation is the caller's to apply (default 'linear'). */
  activation?: 'linear' | 'relu';
  /**
   * A fixed (calibrated) activation scale: x is quantized as round(x / inputScale). Omitted or 0:
   * dynamic, each row (int8Linear) or image (int8Conv2d) with its own scale max|·| / 127.
   */
  inputScale?: number;
}

/** The smallest maximum used for a dynamic scale, so an all-zero row or image quantizes to zeros, not NaN. */
const MIN_MAXIMUM = Math.fround(1e-30);

/** Checks the options and returns them resolved. */
export function checkInt8Options(op: string, options: Int8CommonOptions): { bias: Tensor | null; useRelu: boolean; inputScale: number } {
  checkOptions(op, options);
  const bias = options.bias ?? null;
  if (bias !== null) checkTensor(op, 'bias', bias);
  const activation = options.activation ?? 'linear';
  const inputScale = options.inputScale ?? 0;
  check(activation === 'linear' || activation === 'relu', op, () => `activation must be 'linear' or 'relu', got ${JSON.stringify(activation)}`);
  check(Number.isFinite(inputScale) && inputScale >= 0, op, () => `inputScale must be a finite number >= 0, got ${inputScale}`);
  return { bias, useRelu: activation === 'relu', inputScale };
}

/** Checks that `vector` (the scales, or the bias when given) is float32 [channels]. */
export function checkChannelVector(op: string, name: string, vector: Tensor | null, channels: number): void {
  check(vector === null || (vector.rank === 1 && vector.shape[0] === channels && vector.dtype === 'float32'), op, () =>
    `${name} must be float32 [${channels}], got ${vector!.dtype} ${formatShape(vector!.shape)}`);
}

/**
 * The composed form: x quantized per slice over `reduceAxes` (or with `inputScale`) as
 * clamp(floor(x / scale + 0.5), -127, 127), `integerProduct` of those integer-valued floats (exact
 * while each sum stays under 2²⁴), scaled back by scale · channelScales, plus bias, relu if asked.
 */
export function composedInt8(
  x: Tensor, reduceAxes: number[], integerProduct: (quantized: Tensor) => Tensor, channelScales: Tensor,
  { bias, useRelu, inputScale }: { bias: Tensor | null; useRelu: boolean; inputScale: number },
): Tensor {
  let scale: Tensor;
  let inverse: Tensor;
  if (inputScale > 0) {
    scale = scalar(Math.fround(inputScale));
    inverse = scalar(Math.fround(1 / Math.fround(inputScale)));
  } else {
    const sliceMaximum = maximum(max(abs(x), reduceAxes, true), MIN_MAXIMUM);
    scale = div(sliceMaximum, 127);
    inverse = div(127, sliceMaximum);
  }
  const quantized = clip(floor(add(mul(x, inverse), 0.5)), -127, 127);
  let y = mul(integerProduct(quantized), mul(scale, channelScales));
  if (bias !== null) y = add(y, bias);
  return useRelu ? relu(y) : y;
}
