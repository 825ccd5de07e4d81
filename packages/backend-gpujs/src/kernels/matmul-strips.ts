/**
 * Matmul kernels in which each thread computes a strip of four neighbouring outputs (one row,
 * four columns) and returns them as gpu.js's `Array(4)`, so every loaded element of `a` feeds four
 * products. gpu.js gives one value per thread otherwise, and a vec4 result cannot be read back as
 * floats directly, so each GPU API gets its own layout trick:
 *
 * - WebGL2/WebGL: texture fetches dominate (each one turns a flat index into texel coordinates).
 *   `a` and `b` are first packed four floats to an RGBA texel (`packProgram`, which also applies
 *   the transposes and zero-pads K and N to multiples of 4); the strip kernel then reads one vec4
 *   of `a` and four vec4s of `b` per 16 multiply-adds (8 fetches per 4 before); an unpack pass
 *   turns the RGBA strips back into one float per texel.
 * - WebGPU: storage-buffer loads are cheap, so the strip kernel reads `a` and `b` as they are;
 *   its vec4 output is laid out in the buffer as four consecutive floats, so the runner views it
 *   as a flat float buffer, and when N is not a multiple of 4 a slice drops the padding columns.
 */
import type { FusedActivation } from '@dendrite/core/backend';
import type { KernelProgram } from '../kernel-cache.js';
import { activationStatements } from './elementwise.js';
import { CORRECTION_THRESHOLD, FLAT_INDEX, floorDivision, kernelFunction } from './source.js';

/** Four lanes of a strip. */
export const LANES = [0, 1, 2, 3] as const;

/** The four lanes' accumulators, zeroed. */
export const LANE_SUMS = 'let sum0 = 0;\nlet sum1 = 0;\nlet sum2 = 0;\nlet sum3 = 0;';

/** A rank-2 matmul's sizes: op(a) is [m, k], op(b) is [k, n]. */
export interface StripGeometry {
  m: number;
  k: number;
  n: number;
  transposeA: boolean;
  transposeB: boolean;
}

/** What follows the sum in each lane: an optional bias over columns, then the activation. */
export interface StripEpilogue {
  hasBias: boolean;
  activation: FusedActivation;
}

/** Strips (texels) of four that hold `size` values. */
export const quarter = (size: number): number => Math.ceil(size / 4);

/**
 * `column0` … `column3`: the strip's columns, clamped to n - 1 when n is not a multiple of 4 (the
 * padding lanes are dropped later; clamping keeps their reads in range). An `if`, not Math.min:
 * GLSL has no min(float, int).
 */
export function laneColumns(n: number): string[] {
  return LANES.map((lane) => {
    if (lane === 0) return 'const column0 = column;';
    if (n % 4 === 0) return `const column${lane} = column + ${lane};`;
    return `let column${lane} = column + ${lane};\nif (column${lane} > ${n - 1}) { column${lane} = ${n - 1}; }`;
  });
}

/** Statements turning `sum${lane}` into `result${lane}` (bias at `column${lane}`), then returning them. */
function epilogueStatements(epilogue: StripEpilogue, biasName: string): string[] {
  const lines: string[] = [];
  for (const lane of LANES) {
    const sum = `sum${lane}`;
    if (epilogue.hasBias) lines.push(`${sum} = ${sum} + ${biasName}[column${lane}];`);
    lines.push(...activationStatements(epilogue.activation, sum, `result${lane}`, String(lane)));
  }
  lines.push('return [result0, result1, result2, result3];');
  return lines;
}

/** `row`, and `column` (the strip's first column), of strip `this.thread.x` over `stripsPerRow`. */
export function stripCoordinates(stripsPerRow: number, rows: number): string[] {
  return [
    'const strip = this.thread.x / 1;',
    ...floorDivision('strip', stripsPerRow, 'row', 'stripInRow', rows * stripsPerRow > CORRECTION_THRESHOLD),
    'const column = stripInRow * 4;',
  ];
}

/**
 * GL: op(x) as [rows, ceil(cols / 4)] RGBA texels, zero beyond `cols` and beyond `rows` up to
 * `paddedRows`. `transpose`: x is stored [cols, rows]. With `batches` > 1, x holds that many such
 * matrices one after another, packed one after another (`rows` = `paddedRows` then).
 */
export function packProgram(rows: number, cols: number, paddedRows: number, transpose: boolean, batches = 1): KernelProgram {
  const stripsPerRow = quarter(cols);
  const at = (column: string): string => (transpose ? `x0[(${column}) * ${rows} + row]` : `x0[row * ${cols} + ${column}]`);
  // Batched: `row` runs over every batch's rows; the batch offset and transposed reads need it split.
  const batchLines = batches > 1 && transpose
    ? [...floorDivision('row', rows, 'batch', 'rowInBatch', batches * rows > CORRECTION_THRESHOLD)]
    : [];
  const batchedAt = (column: string): string => (batches > 1 && transpose ? `x0[batch * ${rows * cols} + (${column}) * ${rows} + rowInBatch]` : at(column));
  return {
    key: `pack:${rows}x${cols}:${paddedRows}:${transpose ? 'T' : 'N'}:${batches}`,
    vectorOutput: true,
    source: () => kernelFunction(['x0'], [
      ...stripCoordinates(stripsPerRow, batches * paddedRows),
      ...batchLines,
      ...LANES.map((lane) => {
        const column = lane === 0 ? 'column' : `column + ${lane}`;
        const inRange = [...(paddedRows > rows ? [`row < ${rows}`] : []), ...(cols % 4 === 0 ? [] : [`${column} < ${cols}`])];
        if (inRange.length === 0) return `const v${lane} = ${batchedAt(column)};`;
        return `let v${lane} = 0;\nif (${inRange.join(' && ')}) { v${lane} = ${batchedAt(column)}; }`;
      }),
      'return [v0, v1, v2, v3];',
    ].join('\n')),
  };
}

/**
 * GL: strips of op(a) @ op(b) (+ bias, activation) from packed operands: x0 = packed a
 * [m, k4] texels, x1 = packed b [4·k4, n4] texels, x2 = bias (plain floats). Output [m, n4] texels.
 */
export function packedStripMatmulProgram(geometry: StripGeometry, epilogue: StripEpilogue): KernelProgram {
  const { m, k, n } = geometry;
  const k4 = quarter(k);
  const n4 = quarter(n);
  const parameters = epilogue.hasBias ? ['x0', 'x1', 'x2'] : ['x0', 'x1'];
  return {
    key: `packedStripMatmul:${m}x${k}x${n}:${epilogue.hasBias ? 'bias' : 'nobias'}:${epilogue.activation}`,
    vectorOutput: true,
    loopMax: k4,
    source: () => kernelFunction(parameters, [
      ...stripCoordinates(n4, m),
      `const aBase = row * ${k4};`,
      LANE_SUMS,
      `for (let q = 0; q < ${k4}; q++) {`,
      '  const av = x0[aBase + q];',
      `  const bBase = q * ${4 * n4} + stripInRow;`,
      ...LANES.map((lane) => `  const b${lane} = x1[${lane === 0 ? 'bBase' : `bBase + ${lane * n4}`}];`),
      ...LANES.map((lane) => `  sum${lane} = sum${lane} + av[0] * b0[${lane}] + av[1] * b1[${lane}] + av[2] * b2[${lane}] + av[3] * b3[${lane}];`),
      '}',
      ...(epilogue.hasBias ? laneColumns(n) : []),
      ...epilogueStatements(epilogue, 'x2'),
    ].join('\n')),
  };
}

/** GL: [m, n] floats from strips [m, n4] RGBA texels (x0), dropping the padding lanes. */
export function unpackProgram(m: number, n: number): KernelProgram {
  const n4 = quarter(n);
  return {
    key: `unpack:${m}x${n}`,
    source: () => kernelFunction(['x0'], [
      FLAT_INDEX,
      ...floorDivision('i', n, 'row', 'column', m * n > CORRECTION_THRESHOLD),
      ...floorDivision('column', 4, 'strip', 'lane', false),
      `const texel = x0[row * ${n4} + strip];`,
      'let value = texel[0];',
      'if (lane === 1) { value = texel[1]; }',
      'if (lane === 2) { value = texel[2]; }',
      'if (lane === 3) { value = texel[3]; }',
      'return value;',
    ].join('\n')),
  };
}

/**
 * WebGPU: strips of op(a) @ op(b) (+ bias, activation) read straight from a (x0), b (x1) and the
 * bias (x2). Output [m, n4] strips, i.e. [m, 4·n4] floats once viewed flat; padding lanes repeat
 * the last column (their reads clamped in range).
 */
export function stripMatmulProgram(geometry: StripGeometry, epilogue: StripEpilogue): KernelProgram {
  const { m, k, n, transposeA, transposeB } = geometry;
  const n4 = quarter(n);
  const parameters = epilogue.hasBias ? ['x0', 'x1', 'x2'] : ['x0', 'x1'];
  const bAt = (lane: number): string => (transposeB ? `x1[column${lane} * ${k} + step]` : `x1[step * ${n} + column${lane}]`);
  return {
    key: `stripMatmul:${m}x${k}x${n}:${transposeA ? 'T' : 'N'}${transposeB ? 'T' : 'N'}:${epilogue.hasBias ? 'bias' : 'nobias'}:${epilogue.activation}`,
    vectorOutput: true,
    loopMax: k,
    source: () => kernelFunction(parameters, [
      ...stripCoordinates(n4, m),
      ...laneColumns(n),
      LANE_SUMS,
      `for (let step = 0; step < ${k}; step++) {`,
      `  const av = x0[${transposeA ? `step * ${m} + row` : `row * ${k} + step`}];`,
      ...LANES.map((lane) => `  sum${lane} = sum${lane} + av * ${bAt(lane)};`),
      '}',
      ...epilogueStatements(epilogue, 'x2'),
    ].join('\n')),
  };
}
