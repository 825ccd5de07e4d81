import type { FusedActivation } from '../../../backend/backend.js';
import type { CpuTensor, KernelContext } from '../kernel-context.js';
import { gemm } from './gemm.js';
import { requireFloat32 } from './require-float32.js';
import { DendriteError } from '../../../errors.js';

/**
 * activation(a @ b + bias) for rank-2 float32 a, b and a rank-1 bias (or null), with the bias add
 * and activation applied to each block of the product while it is still in cache.
 */
export function fusedMatmul(
  context: KernelContext, a: CpuTensor, b: CpuTensor, bias: CpuTensor | null, activation: FusedActivation,
  transposeA: boolean, transposeB: boolean, outShape: readonly number[],
): Float32Array {
  const aValues = requireFloat32('fusedMatmul', 'a', a);
  const bValues = requireFloat32('fusedMatmul', 'b', b);
  const biasValues = bias === null ? null : requireFloat32('fusedMatmul', 'bias', bias);
  const [m, n] = outShape;
  const k = transposeA ? a.shape[0] : a.shape[1];
  const out = context.allocateFloat32(m * n);
  gemm(context.accelerator, aValues, 0, bValues, 0, out, 0, m, n, k, transposeA, transposeB,
    biasValues === null ? null : biasOfLength(biasValues, n), activation);
  return out;
}

/** The bias as n values: a one-element bias broadcasts across the columns. */
function biasOfLength(bias: Float32Array, n: number): Float32Array {
  if (bias.length === n) return bias;
  if (bias.length === 1) return new Float32Array(n).fill(bias[0]);
  throw new DendriteError(`fusedMatmul: bias has ${bias.length} values but the product has ${n} columns`);
}
