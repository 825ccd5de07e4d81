import type { FusedActivation } from '../../../backend/backend.js';
import type { CpuTensor, KernelContext } from '../kernel-context.js';
import { gemm } from './gemm.js';
import { DendriteError } from '../../../errors.js';

/**
 * activation(a @ b + bias) for rank-2 float32 a, b and a rank-1 bias (or null), with the bias add
 * and activation applied to each block of the product while it is still in cache.
 */
export function fusedMatmul(
  context: KernelContext, a: CpuTensor, b: CpuTensor, bias: CpuTensor | null, activation: FusedActivation,
  transposeA: boolean, transposeB: boolean, outShape: readonly number[],
): Float32Array {
  if (!(a.values instanceof Float32Array) || !(b.values instanceof Float32Array)) {
    throw new DendriteError(`fusedMatmul: inputs must be float32, got ${a.dtype} and ${b.dtype}`);
  }
  if (bias !== null && !(bias.values instanceof Float32Array)) {
    throw new DendriteError(`fusedMatmul: bias must be float32, got ${bias.dtype}`);
  }
  const [m, n] = outShape;
  const k = transposeA ? a.shape[0] : a.shape[1];
  const out = context.allocateFloat32(m * n);
  gemm(context.accelerator, a.values, 0, b.values, 0, out, 0, m, n, k, transposeA, transposeB,
    bias === null ? null : biasOfLength(bias.values as Float32Array, n), activation);
  return out;
}

/** The bias as n values: a one-element bias broadcasts across the columns. */
function biasOfLength(bias: Float32Array, n: number): Float32Array {
  if (bias.length === n) return bias;
  if (bias.length === 1) return new Float32Array(n).fill(bias[0]);
  throw new DendriteError(`fusedMatmul: bias has ${bias.length} values but the product has ${n} columns`);
}
