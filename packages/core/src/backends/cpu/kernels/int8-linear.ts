import type { CpuTensor, KernelContext } from '../kernel-context.js';
import { requireFloat32 } from './require-float32.js';
import { DendriteError } from '../../../errors.js';

/** The smallest row maximum used for a dynamic scale, so an all-zero row quantizes to zeros, not NaN. */
export const INT8_MIN_ROW_MAXIMUM = Math.fround(1e-30);

/**
 * out[m, n] = activation(q(x) · weightᵀ · rowScale · weightScales[n] + bias[n]): x [m, k] float32 is
 * quantized to int8 per row (scale = max|row| / 127, or `inputScale` for every row when > 0) with
 * q = clamp(floor(x / scale + 0.5), -127, 127); weight [n, k] is int32 holding int8 values. The
 * integer sums are exact; every float step rounds to float32 in the order assembly/int8.ts uses,
 * so the accelerator's result is bit-identical to this reference.
 */
export function int8Linear(
  context: KernelContext, x: CpuTensor, weight: CpuTensor, weightScales: CpuTensor, bias: CpuTensor | null,
  relu: boolean, inputScale: number,
): Float32Array {
  const xValues = requireFloat32('int8Linear', 'x', x);
  const scaleValues = requireFloat32('int8Linear', 'weightScales', weightScales);
  const biasValues = bias === null ? null : requireFloat32('int8Linear', 'bias', bias);
  if (!(weight.values instanceof Int32Array)) throw new DendriteError(`int8Linear: weight must be int32 holding int8 values, got ${weight.dtype}`);
  const weights = weight.values;
  const [m, k] = x.shape;
  const n = weight.shape[0];
  const out = context.allocateFloat32(m * n);
  if (context.accelerator?.int8Linear?.(xValues, weights, scaleValues, biasValues, out, m, n, k, inputScale, relu)) return out;
  const quantized = new Int32Array(k);
  for (let row = 0; row < m; row++) {
    const rowScale = quantizeInt8(xValues, row * k, k, inputScale, quantized);
    for (let column = 0; column < n; column++) {
      let sum = 0;
      const base = column * k;
      for (let i = 0; i < k; i++) sum += quantized[i] * weights[base + i];
      let value = Math.fround(Math.fround(sum) * Math.fround(rowScale * scaleValues[column]));
      if (biasValues !== null) value = Math.fround(value + biasValues[column]);
      out[row * n + column] = relu && value <= 0 ? 0 : value;
    }
  }
  return out;
}

/**
 * Quantizes x[offset, offset + k) (a row, or an image for int8Conv2d) into `quantized` and returns
 * its scale: `inputScale` when > 0, else max|values| / 127.
 */
export function quantizeInt8(x: Float32Array, offset: number, k: number, inputScale: number, quantized: Int32Array): number {
  let scale: number;
  let inverse: number;
  if (inputScale > 0) {
    scale = Math.fround(inputScale);
    inverse = Math.fround(1 / scale);
  } else {
    // NaN is skipped here, and quantizes to -127 below, as in the wasm kernel.
    let maximum = 0;
    for (let i = 0; i < k; i++) {
      const magnitude = Math.abs(x[offset + i]);
      if (magnitude > maximum) maximum = magnitude;
    }
    maximum = Math.max(maximum, INT8_MIN_ROW_MAXIMUM);
    scale = Math.fround(maximum / 127);
    inverse = Math.fround(127 / maximum);
  }
  for (let i = 0; i < k; i++) {
    const value = Math.floor(Math.fround(Math.fround(x[offset + i] * inverse) + 0.5));
    quantized[i] = value >= -127 ? (value <= 127 ? value : 127) : -127;
  }
  return scale;
}
