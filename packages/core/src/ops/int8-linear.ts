import { engine } from '../engine.js';
import { check } from '../errors.js';
import { formatShape } from '../shape.js';
import type { Tensor } from '../tensor.js';
import { cast } from './cast.js';
import { checkTensor } from './check-arguments.js';
import { checkChannelVector, checkInt8Options, composedInt8, type Int8CommonOptions } from './int8-quantize.js';
import { matmul } from './matmul.js';
import { composite } from './util.js';

/** Options of {@link int8Linear}: bias, fused activation and a calibrated input scale (per row when dynamic). */
export type Int8LinearOptions = Int8CommonOptions;

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
  const resolved = checkInt8Options(op, options);
  const { bias, useRelu, inputScale } = resolved;
  check(x.rank === 2 && x.dtype === 'float32', op, () => `x must be float32 [batch, in], got ${x.dtype} ${formatShape(x.shape)}`);
  check(weight.rank === 2 && weight.dtype === 'int32', op, () => `weight must be int32 [out, in], got ${weight.dtype} ${formatShape(weight.shape)}`);
  const [outFeatures, inFeatures] = weight.shape;
  check(x.shape[1] === inFeatures, op, () => `x ${formatShape(x.shape)} has ${x.shape[1]} features but weight ${formatShape(weight.shape)} expects ${inFeatures}`);
  checkChannelVector(op, 'weightScales', weightScales, outFeatures);
  checkChannelVector(op, 'bias', bias, outFeatures);
  const backend = engine.backend;
  if (!backend.int8Linear) return composite(op, () => composedInt8(x, [1], (q) => matmul(q, cast(weight, 'float32'), { transposeB: true }), weightScales, resolved));
  const inputs = bias ? [x, weight, weightScales, bias] : [x, weight, weightScales];
  return engine.runOp({
    name: op, inputs, shape: [x.shape[0], outFeatures], dtype: 'float32',
    kernel: (kernels, [xInfo, wInfo, sInfo, bInfo]) => kernels.int8Linear!(xInfo, wInfo, sInfo, bInfo ?? null, useRelu, inputScale),
  });
}
