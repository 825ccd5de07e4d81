import { sizeOf, stridesOf } from '@dendrite/core';
import type { FusedActivation } from '@dendrite/core/backend';
import type { KernelProgram } from '../kernel-cache.js';
import { activationStatements } from './elementwise.js';
import { decomposeIndex, FLAT_INDEX, kernelFunction } from './source.js';

/** Geometry of a batched matmul, resolved from the operand shapes. */
export interface MatmulGeometry {
  aShape: readonly number[];
  bShape: readonly number[];
  outShape: readonly number[];
  transposeA: boolean;
  transposeB: boolean;
}

/** Steps of the inner loop written out per iteration (fewer loop tests, more independent loads). */
const UNROLL = 4;

/** Offset of one matrix of a batch, broadcasting batch dims the way binary ops do. */
function batchOffset(batchShape: readonly number[], outBatchRank: number, matrixSize: number): string {
  const strides = stridesOf(batchShape);
  const offset = outBatchRank - batchShape.length;
  const terms: string[] = [];
  for (let axis = 0; axis < batchShape.length; axis++) {
    if (batchShape[axis] === 1) continue;
    terms.push(`c${axis + offset} * ${strides[axis] * matrixSize}`);
  }
  return terms.length === 0 ? '0' : terms.join(' + ');
}

/** `left + right`, dropping a literal 0 on the left. */
function plus(left: string, right: string): string {
  return left === '0' ? right : `${left} + ${right}`;
}

/**
 * Statements that accumulate `sum` = row m of op(a) · column n of op(b). `grid` writes the 2-D
 * variant: thread.y walks the (batch, row) pairs and thread.x the columns, so neighbouring threads
 * read neighbouring b elements (what gpu.js's WebAssembly SIMD path vectorizes well).
 */
function dotProductBody(geometry: MatmulGeometry, grid: boolean): string {
  const { aShape, bShape, outShape, transposeA, transposeB } = geometry;
  const rank = outShape.length;
  const m = outShape[rank - 2];
  const n = outShape[rank - 1];
  const k = innerDimension(geometry);
  const batchRank = rank - 2;
  const aAddress = (step: string): string => (transposeA ? `aBase + (${step}) * ${m}` : `aBase + ${step}`);
  const bAddress = (step: string): string => (transposeB ? `bBase + ${step}` : `bBase + (${step}) * ${n}`);
  const unrolledSteps = Math.floor(k / UNROLL);
  const coordinates = grid
    ? [
      rank === 2 ? 'const c0 = this.thread.y;' : `const rowIndex = this.thread.y / 1;\n${decomposeIndex('rowIndex', outShape.slice(0, -1), 'c')}`,
      `const c${rank - 1} = this.thread.x;`,
    ]
    : [FLAT_INDEX, decomposeIndex('i', outShape, 'c')];
  const lines = [
    ...coordinates,
    `const row = c${rank - 2};`,
    `const column = c${rank - 1};`,
    `const aBase = ${plus(batchOffset(aShape.slice(0, -2), batchRank, m * k), transposeA ? 'row' : `row * ${k}`)};`,
    `const bBase = ${plus(batchOffset(bShape.slice(0, -2), batchRank, k * n), transposeB ? `column * ${k}` : 'column')};`,
    'let sum = 0;',
  ];
  if (unrolledSteps > 0) {
    const terms: string[] = [];
    for (let lane = 0; lane < UNROLL; lane++) {
      // No `+ 0` terms: they cost the WebAssembly SIMD path its fast loads (measured 2x).
      const step = lane === 0 ? 'step' : `step + ${lane}`;
      terms.push(`x0[${aAddress(step)}] * x1[${bAddress(step)}]`);
    }
    lines.push(
      `for (let t = 0; t < ${unrolledSteps}; t++) {`,
      `  const step = t * ${UNROLL};`,
      `  sum = sum + ${terms.join(' + ')};`,
      '}',
    );
  }
  for (let rest = unrolledSteps * UNROLL; rest < k; rest++) {
    lines.push(`sum = sum + x0[${aAddress(String(rest))}] * x1[${bAddress(String(rest))}];`);
  }
  return lines.join('\n');
}

/** The unrolled loop's length, without writing the source (programs are built on every call). */
function unrolledLoopMax(geometry: MatmulGeometry): number {
  return Math.max(1, Math.floor(innerDimension(geometry) / UNROLL));
}

/** The 2-D launch shape of a matmul: (batch × rows) by columns. */
function matmulGrid(geometry: MatmulGeometry, source: (grid: boolean) => string): KernelProgram['grid'] {
  const { outShape } = geometry;
  const columns = outShape[outShape.length - 1];
  return { rows: sizeOf(outShape) / Math.max(1, columns), columns, source: () => source(true) };
}

function geometryKey(geometry: MatmulGeometry): string {
  return `${geometry.aShape.join('x')}:${geometry.bShape.join('x')}:${geometry.outShape.join('x')}:${geometry.transposeA ? 'T' : 'N'}${geometry.transposeB ? 'T' : 'N'}`;
}

/** Batched matmul, one output element per thread, inner dimension unrolled by {@link UNROLL}. */
export function matmulProgram(geometry: MatmulGeometry): KernelProgram {
  const source = (grid: boolean): string => kernelFunction(['x0', 'x1'], `${dotProductBody(geometry, grid)}\nreturn sum;`);
  return {
    key: `matmul:${geometryKey(geometry)}`,
    loopMax: unrolledLoopMax(geometry),
    source: () => source(false),
    grid: matmulGrid(geometry, source),
  };
}

/** activation(a @ b + bias) in one kernel (rank-2 operands, bias over columns or absent). */
export function fusedMatmulProgram(geometry: MatmulGeometry, hasBias: boolean, activation: FusedActivation): KernelProgram {
  const parameters = hasBias ? ['x0', 'x1', 'x2'] : ['x0', 'x1'];
  const source = (grid: boolean): string => kernelFunction(parameters, [
    dotProductBody(geometry, grid),
    hasBias ? 'sum = sum + x2[column];' : '',
    ...activationStatements(activation, 'sum', 'result'),
    'return result;',
  ].join('\n'));
  return {
    key: `fusedMatmul:${geometryKey(geometry)}:${hasBias ? 'bias' : 'nobias'}:${activation}`,
    loopMax: unrolledLoopMax(geometry),
    source: () => source(false),
    grid: matmulGrid(geometry, source),
  };
}

/** Length K of the inner dimension of op(a) @ op(b) (the caller fills a zero-K product with zeros). */
export function innerDimension(geometry: MatmulGeometry): number {
  const { aShape, transposeA } = geometry;
  return transposeA ? aShape[aShape.length - 2] : aShape[aShape.length - 1];
}

