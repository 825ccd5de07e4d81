import type { FusedActivation } from '../../../backend/backend.js';
import type { CpuAccelerator } from '../accelerator.js';
import { applyBiasActivation } from './activation.js';
import { transposeInto } from './pack.js';

/** Depth (k) of one block: 4 rows of A and 4 of Bᵀ over it stay in L1. */
const DEPTH_BLOCK = 512;
/** Columns (rows of Bᵀ) of one block: 128 x 512 floats = 256 KiB stays in L2. */
const COLUMN_BLOCK = 128;
/** Below this many rows, packing B costs as much as the product: use the unpacked i-k-j loop. */
const PACK_MIN_ROWS = 4;

/**
 * The one matrix product every CPU kernel uses (matmul, fusedMatmul, conv2d and its gradients):
 * out[m, n] = activation(op(A)[m, k] @ op(B)[k, n] + bias[n]) where op transposes when asked,
 * A starts at `a[aOffset]` (row-major [m, k], or [k, m] when transposeA), B at `b[bOffset]`
 * ([k, n], or [n, k] when transposeB), out at `out[outOffset]` ([m, n], overwritten).
 *
 * The accelerator runs it when it accepts; otherwise the blocked TypeScript kernel does.
 */
export function gemm(
  accelerator: CpuAccelerator | null,
  a: Float32Array, aOffset: number, b: Float32Array, bOffset: number, out: Float32Array, outOffset: number,
  m: number, n: number, k: number, transposeA: boolean, transposeB: boolean,
  bias: Float32Array | null = null, activation: FusedActivation = 'linear',
): void {
  if (accelerator !== null && m > 0 && n > 0) {
    const accepted = accelerator.matmul(
      a.subarray(aOffset, aOffset + m * k), b.subarray(bOffset, bOffset + k * n),
      out.subarray(outOffset, outOffset + m * n), m, n, k, transposeA, transposeB, bias, activation,
    );
    if (accepted) return;
  }
  referenceGemm(a, aOffset, b, bOffset, out, outOffset, m, n, k, transposeA, transposeB, bias, activation);
}

/** {@link gemm} without the accelerator: the TypeScript reference. */
export function referenceGemm(
  a: Float32Array, aOffset: number, b: Float32Array, bOffset: number, out: Float32Array, outOffset: number,
  m: number, n: number, k: number, transposeA: boolean, transposeB: boolean,
  bias: Float32Array | null = null, activation: FusedActivation = 'linear',
): void {
  if (m === 0 || n === 0) return;
  if (k === 0) {
    out.fill(0, outOffset, outOffset + m * n);
    finishRows(out, outOffset, 0, m, n, 0, n, bias, activation);
    return;
  }
  if (m < PACK_MIN_ROWS && !transposeB) {
    multiplyRowsUnpacked(a, aOffset, transposeA, b, bOffset, out, outOffset, m, n, k, bias, activation);
    return;
  }
  // The kernel wants A as rows along k and B as Bᵀ rows along k; pack whichever is not.
  let aRows = a;
  let aRowsOffset = aOffset;
  if (transposeA) {
    aRows = new Float32Array(m * k);
    transposeInto(a, aOffset, k, m, aRows, 0);
    aRowsOffset = 0;
  }
  let bTransposed = b;
  let bTransposedOffset = bOffset;
  if (!transposeB) {
    bTransposed = new Float32Array(n * k);
    transposeInto(b, bOffset, k, n, bTransposed, 0);
    bTransposedOffset = 0;
  }
  multiplyPacked(aRows, aRowsOffset, bTransposed, bTransposedOffset, out, outOffset, m, n, k, bias, activation);
}

function finishRows(
  out: Float32Array, outOffset: number, rowBegin: number, rowEnd: number, n: number,
  columnBegin: number, columnEnd: number, bias: Float32Array | null, activation: FusedActivation,
): void {
  if (bias === null && activation === 'linear') return;
  for (let row = rowBegin; row < rowEnd; row++) {
    applyBiasActivation(out, outOffset + row * n + columnBegin, columnEnd - columnBegin, bias, columnBegin, activation);
  }
}

/** A few rows times an unpacked B: out[i, :] = Σ_p A[i, p] · B[p, :], contiguous inner loop. */
function multiplyRowsUnpacked(
  a: Float32Array, aOffset: number, transposeA: boolean, b: Float32Array, bOffset: number,
  out: Float32Array, outOffset: number, m: number, n: number, k: number,
  bias: Float32Array | null, activation: FusedActivation,
): void {
  // Double-precision row sums, like the packed kernel's register accumulators.
  const sums = new Float64Array(n);
  for (let i = 0; i < m; i++) {
    sums.fill(0);
    for (let p = 0; p < k; p++) {
      const aValue = transposeA ? a[aOffset + p * m + i] : a[aOffset + i * k + p];
      const bRow = bOffset + p * n;
      for (let j = 0; j < n; j++) sums[j] += aValue * b[bRow + j];
    }
    out.set(sums, outOffset + i * n);
  }
  finishRows(out, outOffset, 0, m, n, 0, n, bias, activation);
}

/**
 * The blocked kernel: A rows and Bᵀ rows both run along k, so each output is a dot product of two
 * contiguous runs. 4x4 register tiles (8 loads per 16 multiply-adds), k split into L1-sized blocks
 * and columns into L2-sized blocks; the first k block stores, later ones add.
 */
function multiplyPacked(
  a: Float32Array, aOffset: number, bt: Float32Array, btOffset: number, out: Float32Array, outOffset: number,
  m: number, n: number, k: number, bias: Float32Array | null, activation: FusedActivation,
): void {
  const fullRows = m - (m % 4);
  for (let k0 = 0; k0 < k; k0 += DEPTH_BLOCK) {
    const k1 = Math.min(k, k0 + DEPTH_BLOCK);
    const first = k0 === 0;
    const last = k1 === k;
    for (let j0 = 0; j0 < n; j0 += COLUMN_BLOCK) {
      const j1 = Math.min(n, j0 + COLUMN_BLOCK);
      const fullColumnsEnd = j0 + ((j1 - j0) - ((j1 - j0) % 4));
      for (let i = 0; i < fullRows; i += 4) {
        const a0 = aOffset + i * k;
        for (let j = j0; j < fullColumnsEnd; j += 4) {
          tile4x4(a, a0, k, bt, btOffset + j * k, k0, k1, out, outOffset + i * n + j, n, first);
        }
        for (let j = fullColumnsEnd; j < j1; j++) {
          tile4x1(a, a0, k, bt, btOffset + j * k, k0, k1, out, outOffset + i * n + j, n, first);
        }
        if (last) finishRows(out, outOffset, i, i + 4, n, j0, j1, bias, activation);
      }
      for (let i = fullRows; i < m; i++) {
        const aRow = aOffset + i * k;
        for (let j = j0; j < fullColumnsEnd; j += 4) {
          tile1x4(a, aRow, bt, btOffset + j * k, k, k0, k1, out, outOffset + i * n + j, first);
        }
        for (let j = fullColumnsEnd; j < j1; j++) {
          let sum = 0;
          const bRow = btOffset + j * k;
          for (let p = k0; p < k1; p++) sum += a[aRow + p] * bt[bRow + p];
          const index = outOffset + i * n + j;
          out[index] = first ? sum : out[index] + sum;
        }
        if (last) finishRows(out, outOffset, i, i + 1, n, j0, j1, bias, activation);
      }
    }
  }
}

function tile4x4(
  a: Float32Array, a0: number, k: number, bt: Float32Array, b0: number, k0: number, k1: number,
  out: Float32Array, o: number, n: number, first: boolean,
): void {
  const a1 = a0 + k, a2 = a1 + k, a3 = a2 + k;
  const b1 = b0 + k, b2 = b1 + k, b3 = b2 + k;
  let s00 = 0, s01 = 0, s02 = 0, s03 = 0, s10 = 0, s11 = 0, s12 = 0, s13 = 0;
  let s20 = 0, s21 = 0, s22 = 0, s23 = 0, s30 = 0, s31 = 0, s32 = 0, s33 = 0;
  for (let p = k0; p < k1; p++) {
    const x0 = a[a0 + p], x1 = a[a1 + p], x2 = a[a2 + p], x3 = a[a3 + p];
    let y = bt[b0 + p];
    s00 += x0 * y; s10 += x1 * y; s20 += x2 * y; s30 += x3 * y;
    y = bt[b1 + p];
    s01 += x0 * y; s11 += x1 * y; s21 += x2 * y; s31 += x3 * y;
    y = bt[b2 + p];
    s02 += x0 * y; s12 += x1 * y; s22 += x2 * y; s32 += x3 * y;
    y = bt[b3 + p];
    s03 += x0 * y; s13 += x1 * y; s23 += x2 * y; s33 += x3 * y;
  }
  const o1 = o + n, o2 = o1 + n, o3 = o2 + n;
  if (first) {
    out[o] = s00; out[o + 1] = s01; out[o + 2] = s02; out[o + 3] = s03;
    out[o1] = s10; out[o1 + 1] = s11; out[o1 + 2] = s12; out[o1 + 3] = s13;
    out[o2] = s20; out[o2 + 1] = s21; out[o2 + 2] = s22; out[o2 + 3] = s23;
    out[o3] = s30; out[o3 + 1] = s31; out[o3 + 2] = s32; out[o3 + 3] = s33;
  } else {
    out[o] += s00; out[o + 1] += s01; out[o + 2] += s02; out[o + 3] += s03;
    out[o1] += s10; out[o1 + 1] += s11; out[o1 + 2] += s12; out[o1 + 3] += s13;
    out[o2] += s20; out[o2 + 1] += s21; out[o2 + 2] += s22; out[o2 + 3] += s23;
    out[o3] += s30; out[o3 + 1] += s31; out[o3 + 2] += s32; out[o3 + 3] += s33;
  }
}

function tile4x1(
  a: Float32Array, a0: number, k: number, bt: Float32Array, b0: number, k0: number, k1: number,
  out: Float32Array, o: number, n: number, first: boolean,
): void {
  const a1 = a0 + k, a2 = a1 + k, a3 = a2 + k;
  let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
  for (let p = k0; p < k1; p++) {
    const y = bt[b0 + p];
    s0 += a[a0 + p] * y; s1 += a[a1 + p] * y; s2 += a[a2 + p] * y; s3 += a[a3 + p] * y;
  }
  if (first) {
    out[o] = s0; out[o + n] = s1; out[o + 2 * n] = s2; out[o + 3 * n] = s3;
  } else {
    out[o] += s0; out[o + n] += s1; out[o + 2 * n] += s2; out[o + 3 * n] += s3;
  }
}

function tile1x4(
  a: Float32Array, aRow: number, bt: Float32Array, b0: number, k: number, k0: number, k1: number,
  out: Float32Array, o: number, first: boolean,
): void {
  const b1 = b0 + k, b2 = b1 + k, b3 = b2 + k;
  let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
  for (let p = k0; p < k1; p++) {
    const x = a[aRow + p];
    s0 += x * bt[b0 + p]; s1 += x * bt[b1 + p]; s2 += x * bt[b2 + p]; s3 += x * bt[b3 + p];
  }
  if (first) {
    out[o] = s0; out[o + 1] = s1; out[o + 2] = s2; out[o + 3] = s3;
  } else {
    out[o] += s0; out[o + 1] += s1; out[o + 2] += s2; out[o + 3] += s3;
  }
}
