import { DendriteError } from '@dendrite/core';
import type { DType, TypedArray } from '@dendrite/core/backend';
import type { KernelResult } from './gpujs-types.js';

/**
 * One tensor buffer on the device: the DataId this backend hands to core. It holds the gpu.js
 * pipeline result (a texture, a WebGPU buffer, or on cpu/webasm a Float32Array) and nothing else
 * of the tensor; shapes live in core's TensorInfo.
 *
 * Both dtypes are stored as float32: gpu.js kernels only produce floats. int32 values are exact
 * below 2^24 in magnitude, which uploads check.
 */
export class DeviceBuffer {
  /** The gpu.js result, or null for an empty tensor. Replaced once when a WebGPU run resolves. */
  storage: KernelResult | null;
  /** WebGPU only: settles when `storage` is set (gpu.js's webgpu kernels return Promises). */
  ready: Promise<void> | null = null;
  /** Why producing this buffer failed (WebGPU reports asynchronously); rethrown on read. */
  failure: Error | null = null;
  disposed = false;
  /**
   * Host copy of an int32 upload, kept so scatterAdd can build its index lists without a
   * readback. Only set for buffers made by `upload` (whose values the caller handed over).
   */
  hostValues: Int32Array | null = null;
  /**
   * GL only: the values sit four to an RGBA texel (a vector-output kernel's result), readable
   * only by kernels that read vec4s. Such buffers stay inside one backend kernel, never reach core.
   */
  packed = false;

  constructor(
    readonly size: number,
    readonly dtype: DType,
    storage: KernelResult | null,
  ) {
    this.storage = storage;
  }

  /** Bytes the buffer occupies on the device (float32 storage for either dtype). */
  get bytes(): number {
    return this.size * 4;
  }
}

/** The DeviceBuffer behind a DataId, with a clear error for a foreign or freed one. */
export function asDeviceBuffer(dataId: object, what: string): DeviceBuffer {
  if (!(dataId instanceof DeviceBuffer)) {
    throw new DendriteError(`gpu backend: ${what} is not a buffer of this backend (was it made by another backend?)`);
  }
  if (dataId.disposed) {
    throw new DendriteError(`gpu backend: ${what} was already disposed`);
  }
  return dataId;
}

/** Float32 copy of host values for upload, refusing int32 values float32 cannot hold exactly. */
export function toFloat32(values: TypedArray, dtype: DType): Float32Array {
  if (values instanceof Float32Array && dtype === 'float32') return values;
  const copy = new Float32Array(values.length);
  for (let index = 0; index < values.length; index++) {
    const value = values[index];
    if (dtype === 'int32' && (value > 16_777_216 || value < -16_777_216)) {
      throw new DendriteError(
        `gpu backend: int32 value ${value} at index ${index} is beyond ±2^24; gpu.js stores int32 as float32, ` +
        'which holds integers exactly only up to 16,777,216',
      );
    }
    copy[index] = value;
  }
  return copy;
}

/** Host typed array of `dtype` from downloaded float32 values. */
export function fromFloat32(values: Float32Array, dtype: DType): TypedArray {
  if (dtype === 'float32') return values;
  const result = new Int32Array(values.length);
  // Math.round: values are exact integers; rounding only guards a driver that returns 2.9999998.
  // The clamp keeps a saturated cast (stored as the float 2^31) from wrapping to -2^31.
  for (let index = 0; index < values.length; index++) {
    result[index] = Math.min(Math.max(Math.round(values[index]), -2147483648), 2147483647);
  }
  return result;
}
