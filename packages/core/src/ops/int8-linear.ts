import { engine } from '../engine.js';
import { check } from '../errors.js';
import { formatShape } from '../shape.js';
import type { Tensor } from '../tensor.js';
import { abs } from './abs.js';
import { add } from './add.js';
import { cast } from './cast.js';
import { checkOptions, checkTensor } from './check-arguments.js';
import { clip } from './clip.js';
import { div } from './div.js';
import { floor } from './floor.js';
import { matmul } from './matmul.js';
import { max } from './max.js';
import { maximum } from './maximum.js';
import { mul } from './mul.js';
import { relu } from './relu.js';
import { scalar } from './creation.js';
import { composite } from './util.js';

/** Options of {@link int8Linear}: bias, fused activation and a calibrated input scale. */
export interface Int8LinearOptions {
  /** Float32 bias [out], added after dequantizing. */
  bias?: Tensor | null;
  /** 'relu' is fused; any other activation is the caller's to apply (default 'linear'). */
  activation?: 'linear' | 'relu';
  /**
   * A fixed (calibrated) activation scale: x is quantized as round(x / inputScale). Omitted or 0:
   * dynamic, each row with its own scale max|row| / 127.
   */
  inputScale?: number;
}

/** The smallest row maximum used for a dynamic scale, so an all-zero row quantizes to zeros, not NaN. */
const MIN_ROW_MAXIMUM = Math.fround(1e-30);

/**
 * Inference with int8 weights: x [batch, in] is quantized to int8 (per row, or with a calibrated
 * `inputScale`) as clamp(floor(x / scale + 0.5), -127, 127), multiplied by `weight` [out, in] (int32
 * holding int8 values, one row per output channel) in exact integer arithmetic, and each sum is
 * scaled back by rowScale · weightScales[out], plus bias, then relu if asked. The CPU backend runs a
 * WebAssembly SIMD integer kernel (i32x4.dot_i16x8_s); other backends compose it from float ops,
 * with the same values while in · 127² < 2²⁴. No gradient flows through it: it is for inference.
 *
 * @example
 * ```ts
 * const weight = tensor([[127, -64], [3, 100]], [2, 2], 'int32');   // [out, in]
 * const y = int8Linear(x, weight, tensor([0.01, 0.02]), { bias, activation: 'relu' });
 * ```
 */
export function int8Linear(x: Tensor, weight: Tensor, weightScales: Tensor, options: Int8LinearOptions = {}): Tensor {
  const op = 'int8Linear';
  checkTensor(op, 'x', x);
  checkTensor(op, 'weight', weight);
  checkTensor(op, 'weightScales', weightScales);
  checkOptions(op, options);
  const bias = options.bias ?? null;
  if (bias !== null) checkTensor(op, 'bias', bias);
  const activation = options.activation ?? 'linear';
  const inputScale = options.inputScale ?? 0;
  check(activation === 'linear' || activation === 'relu', op, () => `activation must be 'linear' or 'relu', got ${JSON.stringify(activation)}`);
  check(Number.isFinite(inputScale) && inputScale >= 0, op, () => `inputScale must be a finite number >= 0, got ${inputScale}`);
  check(x.rank === 2 && x.dtype === 'float32', op, () => `x must be float32 [batch, in], got ${x.dtype} ${formatShape(x.shape)}`);
  check(weight.rank === 2 && weight.dtype === 'int32', op, () => `weight must be int32 [out, in], got ${weight.dtype} ${formatShape(weight.shape)}`);
  const [outFeatures, inFeatures] = weight.shape;
  check(x.shape[1] === inFeatures, op, () => `x ${formatShape(x.shape)} has ${x.shape[1]} features but weight ${formatShape(weight.shape)} expects ${inFeatures}`);
  check(weightScales.rank === 1 && weightScales.shape[0] === outFeatures && weightScales.dtype === 'float32', op, () =>
    `weightScales must be float32 [${outFeatures}], got ${weightScales.dtype} ${formatShape(weightScales.shape)}`);
  check(bias === null || (bias.rank === 1 && bias.shape[0] === outFeatures && bias.dtype === 'float32'), op, () =>
    `bias must be float32 [${outFeatures}], got ${bias!.dtype} ${formatShape(bias!.shape)}`);
  const backend = engine.backend;
  if (!backend.int8Linear) return composite(op, () => composed(x, weight, weightScales, bias, activation === 'relu', inputScale));
  const inputs = bias ? [x, weight, weightScales, bias] : [x, weight, weightScales];
  return engine.runOp({
    name: op, inputs, shape: [x.shape[0], outFeatures], dtype: 'float32',
    kernel: (kernels, [xInfo, wInfo, sInfo, bInfo]) => kernels.int8Linear!(xInfo, wInfo, sInfo, bInfo ?? null, activation === 'relu', inputScale),
  });
}

/** The same computation in float ops: integer-valued floats multiply exactly while in · 127² < 2²⁴. */
function composed(x: Tensor, weight: Tensor, weightScales: Tensor, bias: Tensor | null, useRelu: boolean, inputScale: number): Tensor {
  let scale: Tensor;
  let inverse: Tensor;
  if (inputScale > 0) {
    scale = scalar(Math.fround(inputScale));
    inverse = scalar(Math.fround(1 / Math.fround(inputScale)));
  } else {
    const rowMaximum = maximum(max(abs(x), 1, true), MIN_ROW_MAXIMUM);
    scale = div(rowMaximum, 127);
    inverse = div(127, rowMaximum);
  }
  const quantized = clip(floor(add(mul(x, inverse), 0.5)), -127, 127);
  const sums = matmul(quantized, cast(weight, 'float32'), { transposeB: true });
  let y = mul(sums, mul(scale, weightScales));
  if (bias !== null) y = add(y, bias);
  return useRelu ? relu(y) : y;
}
