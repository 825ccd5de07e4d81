import { engine } from '../engine.js';
import { check } from '../errors.js';
import { broadcastShapes, formatShape } from '../shape.js';
import type { Tensor } from '../tensor.js';
import { reshape } from './reshape.js';
import { checkOptions, checkTensor } from './check-arguments.js';
import { composite, unbroadcast } from './util.js';

/** Options of {@link matmul}. */
export interface MatmulOptions {
  /** Use a's last two dims transposed. */
  transposeA?: boolean;
  /** Use b's last two dims transposed. */
  transposeB?: boolean;
}

/**
 * Matrix product with NumPy semantics: batched over leading dims (which broadcast), rank-1
 * operands treated as vectors; transposed operands cost nothing extra.
 *
 * @example
 * ```ts
 * matmul(x, w);                          // [batch, in] @ [in, out]
 * matmul(q, k, { transposeB: true });     // q @ kᵀ
 * ```
 */
export function matmul(a: Tensor, b: Tensor, options: MatmulOptions = {}): Tensor {
  checkTensor('matmul', 'a', a);
  checkTensor('matmul', 'b', b);
  checkOptions('matmul', options);
  const transposeA = options.transposeA ?? false;
  const transposeB = options.transposeB ?? false;
  check(a.rank >= 1 && b.rank >= 1, 'matmul', () => `needs operands of rank >= 1, got ${formatShape(a.shape)} and ${formatShape(b.shape)}`);
  check(a.dtype === 'float32' && b.dtype === 'float32', 'matmul', () => `needs float32 operands, got ${a.dtype} and ${b.dtype}`);
  // The common case (two matrices or equal-rank batches) makes no intermediates.
  if (a.rank === b.rank && a.rank >= 2) return batchedMatmul(a, b, transposeA, transposeB);
  return composite('matmul', () => {
    const vectorA = a.rank === 1;
    const vectorB = b.rank === 1;
    const a2 = vectorA ? reshape(a, transposeA ? [a.shape[0], 1] : [1, a.shape[0]]) : a;
    const b2 = vectorB ? reshape(b, transposeB ? [1, b.shape[0]] : [b.shape[0], 1]) : b;
    const product = batchedMatmul(a2, b2, transposeA, transposeB);
    if (!vectorA && !vectorB) return product;
    const shape = product.shape.slice(0, -2);
    if (!vectorA) shape.push(product.shape[product.rank - 2]);
    if (!vectorB) shape.push(product.shape[product.rank - 1]);
    return reshape(product, shape);
  });
}

function batchedMatmul(a: Tensor, b: Tensor, transposeA: boolean, transposeB: boolean): Tensor {
  const [m, kA] = transposeA ? [a.shape[a.rank - 1], a.shape[a.rank - 2]] : [a.shape[a.rank - 2], a.shape[a.rank - 1]];
  const [kB, n] = transposeB ? [b.shape[b.rank - 1], b.shape[b.rank - 2]] : [b.shape[b.rank - 2], b.shape[b.rank - 1]];
  check(kA === kB, 'matmul', () =>
    `inner dimensions differ: ${formatShape(a.shape)}${transposeA ? 'ᵀ' : ''} @ ${formatShape(b.shape)}${transposeB ? 'ᵀ' : ''} (${kA} vs ${kB})`);
  const rank = Math.max(a.rank, b.rank);
  const a3 = a.rank < rank ? reshape(a, [...new Array(rank - a.rank).fill(1), ...a.shape]) : a;
  const b3 = b.rank < rank ? reshape(b, [...new Array(rank - b.rank).fill(1), ...b.shape]) : b;
  const batch = broadcastShapes('matmul', a3.shape.slice(0, -2), b3.shape.slice(0, -2));
  const shape = [...batch, m, n];
  return engine.runOp({
    name: 'matmul', inputs: [a3, b3], shape, dtype: 'float32',
    kernel: (backend, [aInfo, bInfo]) => backend.matmul(aInfo, bInfo, transposeA, transposeB, shape),
    backward: (dy, wanted) => {
      const [dA, dB] = matmulGrads(a3, b3, dy, transposeA, transposeB, wanted);
      return [dA && unbroadcast(dA, a3.shape), dB && unbroadcast(dB, b3.shape)];
    },
  });
}

/**
 * Gradients of a matmul with respect to the operands `wanted` (default both), using transposed
 * products (no copies); null for an operand not wanted.
 */
export function matmulGrads(
  a: Tensor, b: Tensor, dy: Tensor, transposeA: boolean, transposeB: boolean, wanted: readonly boolean[] = [true, true],
): [Tensor | null, Tensor | null] {
  const gradA = (): Tensor => {
    if (!transposeA) return matmul(dy, b, { transposeB: !transposeB });
    return transposeB ? matmul(b, dy, { transposeA: true, transposeB: true }) : matmul(b, dy, { transposeB: true });
  };
  const gradB = (): Tensor => {
    if (!transposeB) return transposeA ? matmul(a, dy) : matmul(a, dy, { transposeA: true });
    return transposeA ? matmul(dy, a, { transposeA: true, transposeB: true }) : matmul(dy, a, { transposeA: true });
  };
  return [wanted[0] ? gradA() : null, wanted[1] ? gradB() : null];
}
