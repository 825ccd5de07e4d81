import type { DType, TypedArray } from '../../backend/backend.js';
import type { CpuAccelerator } from './accelerator.js';

/** A tensor as a CPU kernel sees it: its host values and row-major shape. */
export interface CpuTensor {
  readonly values: TypedArray;
  readonly shape: readonly number[];
  readonly dtype: DType;
}

/** A float32 tensor (what matmul, conv and pooling work on). */
export interface CpuFloatTensor extends CpuTensor {
  readonly values: Float32Array;
}

/**
 * What the backend lends its kernels: the optional accelerator and the allocator for new
 * buffers (which hands out accelerator memory for float32 when the accelerator has one).
 */
export interface KernelContext {
  readonly accelerator: CpuAccelerator | null;
  /** A new buffer whose contents the kernel overwrites entirely (not necessarily zeroed). */
  allocate(length: number, dtype: DType): TypedArray;
  /** A new float32 buffer whose contents the kernel overwrites entirely. */
  allocateFloat32(length: number): Float32Array;
  /** A new zero-filled buffer. */
  allocateZeroed(length: number, dtype: DType): TypedArray;
  /** Return a buffer the kernel allocated but does not output (scratch). */
  release(array: TypedArray): void;
}

/** A context with no accelerator: plain typed arrays (used by tests and as the default). */
export function plainKernelContext(): KernelContext {
  const allocate = (length: number, dtype: DType): TypedArray =>
    dtype === 'int32' ? new Int32Array(length) : new Float32Array(length);
  return {
    accelerator: null,
    allocate,
    allocateFloat32: (length) => new Float32Array(length),
    allocateZeroed: allocate,
    release: () => {},
  };
}
