import { stridesOf } from '@dendrite/core';
import type { KernelProgram } from '../kernel-cache.js';
import { aroundAxis, decomposeIndex, FLAT_INDEX, kernelFunction } from './source.js';

/** Sum of `coordinate * stride` terms, skipping zero coordinates/strides. */
function linearIndex(terms: ReadonlyArray<readonly [string, number]>, constant = 0): string {
  const parts = terms.filter(([, stride]) => stride !== 0).map(([coordinate, stride]) => (stride === 1 ? coordinate : `${coordinate} * ${stride}`));
  if (constant !== 0) parts.push(String(constant));
  return parts.length === 0 ? '0' : parts.join(' + ');
}

/** Output dim i is input dim perm[i]. */
export function transposeProgram(shape: readonly number[], perm: readonly number[]): KernelProgram {
  const outShape = perm.map((axis) => shape[axis]);
  const strides = stridesOf(shape);
  return {
    key: `transpose:${shape.join('x')}:${perm.join(',')}`,
    source: () => kernelFunction(['x0'], [
      FLAT_INDEX,
      decomposeIndex('i', outShape, 'c'),
      `return x0[${linearIndex(perm.map((axis, outAxis) => [`c${outAxis}`, outShape[outAxis] === 1 ? 0 : strides[axis]] as const))}];`,
    ].join('\n')),
  };
}

/** The box at `begin` of extent `size`. */
export function sliceProgram(shape: readonly number[], begin: readonly number[], size: readonly number[]): KernelProgram {
  const strides = stridesOf(shape);
  let constant = 0;
  for (let axis = 0; axis < shape.length; axis++) constant += begin[axis] * strides[axis];
  return {
    key: `slice:${shape.join('x')}:${begin.join(',')}:${size.join(',')}`,
    source: () => kernelFunction(['x0'], [
      FLAT_INDEX,
      decomposeIndex('i', size, 'c'),
      `return x0[${linearIndex(size.map((dim, axis) => [`c${axis}`, dim === 1 ? 0 : strides[axis]] as const), constant)}];`,
    ].join('\n')),
  };
}

/** Constant padding; the pad value arrives as the scalar `s0`. */
export function padProgram(shape: readonly number[], paddings: ReadonlyArray<readonly [number, number]>): KernelProgram {
  const outShape = shape.map((dim, axis) => dim + paddings[axis][0] + paddings[axis][1]);
  const strides = stridesOf(shape);
  const checks: string[] = [];
  const terms: Array<readonly [string, number]> = [];
  for (let axis = 0; axis < shape.length; axis++) {
    const [before] = paddings[axis];
    const source = `p${axis}`;
    checks.push(`const ${source} = c${axis} - ${before};`);
    if (paddings[axis][0] > 0 || paddings[axis][1] > 0) checks.push(`if (${source} < 0 || ${source} >= ${shape[axis]}) { inside = 0; }`);
    terms.push([source, shape[axis] === 1 ? 0 : strides[axis]]);
  }
  return {
    key: `pad:${shape.join('x')}:${paddings.map((pair) => pair.join('-')).join(',')}`,
    source: () => kernelFunction(['x0', 's0'], [
      FLAT_INDEX,
      decomposeIndex('i', outShape, 'c'),
      'let inside = 1;',
      ...checks,
      'let result = s0;',
      `if (inside === 1) { result = x0[${linearIndex(terms)}]; }`,
      'return result;',
    ].join('\n')),
  };
}

/**
 * Join inputs along `axis`. The output is seen as [outer, axisTotal * inner]; each input owns a
 * contiguous run of every outer row.
 */
export function concatProgram(shapes: ReadonlyArray<readonly number[]>, axis: number): KernelProgram {
  const [outer, , inner] = aroundAxis(shapes[0], axis);
  const runs = shapes.map((shape) => shape[axis] * inner);
  const rowLength = runs.reduce((total, run) => total + run, 0);
  const parameters = shapes.map((_, index) => `x${index}`);
  const lines = [FLAT_INDEX, ...decomposeIndex('i', [outer, rowLength], 'c').split('\n'), 'let result = 0;'];
  let start = 0;
  for (let index = 0; index < shapes.length; index++) {
    const run = runs[index];
    const read = `x${index}[${outer === 1 ? '' : `c0 * ${run} + `}c1 - ${start}]`;
    lines.push(`if (c1 >= ${start} && c1 < ${start + run}) { result = ${read}; }`);
    start += run;
  }
  lines.push('return result;');
  return {
    key: `concat:${shapes.map((shape) => shape.join('x')).join(':')}:${axis}`,
    source: () => kernelFunction(parameters, lines.join('\n')),
  };
}
