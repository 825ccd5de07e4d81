import { sizeOf, stridesOf } from '@dendrite/core';
import type { ArgReduceOp, ReduceOp } from '@dendrite/core/backend';
import type { KernelProgram } from '../kernel-cache.js';
import { decomposeIndex, FLAT_INDEX, kernelFunction } from './source.js';

/** One loop of a reduction: `extent` steps of `stride` elements. */
interface ReductionLoop {
  extent: number;
  stride: number;
}

/**
 * How a reduction walks its input: the kept axes (one output element each) and the loops over the
 * reduced axes, with neighbouring reduced axes merged into one loop (they are contiguous).
 */
export interface ReductionLayout {
  keptShape: number[];
  keptStrides: number[];
  loops: ReductionLoop[];
  reducedCount: number;
}

export function reductionLayout(shape: readonly number[], axes: readonly number[]): ReductionLayout {
  const strides = stridesOf(shape);
  const reduced = new Set(axes);
  const keptShape: number[] = [];
  const keptStrides: number[] = [];
  const loops: ReductionLoop[] = [];
  let previousReduced = false;
  for (let axis = 0; axis < shape.length; axis++) {
    if (!reduced.has(axis)) {
      keptShape.push(shape[axis]);
      keptStrides.push(strides[axis]);
      previousReduced = false;
      continue;
    }
    if (previousReduced) {
      // Axis `axis` follows a reduced axis: fold it into that loop (stride shrinks to this axis's).
      const loop = loops[loops.length - 1];
      loop.extent *= shape[axis];
      loop.stride = strides[axis];
    } else {
      loops.push({ extent: shape[axis], stride: strides[axis] });
    }
    previousReduced = true;
  }
  return { keptShape, keptStrides, loops: loops.filter((loop) => loop.extent !== 1), reducedCount: sizeOf(axes.map((axis) => shape[axis])) };
}

/** `base`: the input index of the first reduced element of this thread's output element. */
function basePrologue(keptShape: readonly number[], keptStrides: readonly number[]): string {
  if (keptShape.length === 0 || sizeOf(keptShape) === 1) return 'const base = 0;';
  const terms = keptShape
    .map((dim, axis) => (dim === 1 ? '' : keptStrides[axis] === 1 ? `k${axis}` : `k${axis} * ${keptStrides[axis]}`))
    .filter((term) => term !== '');
  return `${FLAT_INDEX}\n${decomposeIndex('i', keptShape, 'k')}\nconst base = ${terms.join(' + ')};`;
}

/** Nested loops over `loops`, running `body` with the element index in `offset`. */
function nestedLoops(loops: readonly ReductionLoop[], body: string): string {
  let inner = body;
  for (let depth = loops.length - 1; depth >= 0; depth--) {
    const { extent, stride } = loops[depth];
    const parent = depth === 0 ? 'base' : `offset${depth - 1}`;
    const step = stride === 1 ? `r${depth}` : `r${depth} * ${stride}`;
    inner = `for (let r${depth} = 0; r${depth} < ${extent}; r${depth}++) {\nconst offset${depth} = ${parent} + ${step};\n${inner}\n}`;
  }
  return inner;
}

/** sum/max/min over the layout's loops; max/min start from the first reduced element. */
export function reduceProgram(op: ReduceOp, shape: readonly number[], axes: readonly number[]): KernelProgram {
  const layout = reductionLayout(shape, axes);
  const innermost = layout.loops.length === 0 ? 'base' : `offset${layout.loops.length - 1}`;
  const update = op === 'sum'
    ? `accumulator = accumulator + x0[${innermost}];`
    : `const value = x0[${innermost}];\nif (value ${op === 'max' ? '>' : '<'} accumulator) { accumulator = value; }`;
  return {
    key: `reduce:${op}:${shape.join('x')}:${axes.join(',')}`,
    loopMax: Math.max(1, ...layout.loops.map((loop) => loop.extent)),
    source: () => kernelFunction(['x0'], [
      basePrologue(layout.keptShape, layout.keptStrides),
      op === 'sum' ? 'let accumulator = 0;' : 'let accumulator = x0[base];',
      nestedLoops(layout.loops, update),
      'return accumulator;',
    ].join('\n')),
  };
}

/** Index of the first max/min along `axis` (strict comparison keeps the first on ties). */
export function argReduceProgram(op: ArgReduceOp, shape: readonly number[], axis: number): KernelProgram {
  const layout = reductionLayout(shape, [axis]);
  const extent = shape[axis];
  const stride = stridesOf(shape)[axis];
  const step = stride === 1 ? 'r' : `r * ${stride}`;
  return {
    key: `argReduce:${op}:${shape.join('x')}:${axis}`,
    loopMax: extent,
    source: () => kernelFunction(['x0'], [
      basePrologue(layout.keptShape, layout.keptStrides),
      'let best = x0[base];',
      'let bestIndex = 0;',
      `for (let r = 1; r < ${extent}; r++) {`,
      `  const value = x0[base + ${step}];`,
      `  if (value ${op === 'argmax' ? '>' : '<'} best) { best = value; bestIndex = r; }`,
      '}',
      'return bestIndex;',
    ].join('\n')),
  };
}

/**
 * A reduction whose reduced axes form one contiguous run, split in two passes: pass one reduces
 * `chunks` slices of each run into [kept..., chunks], and the caller reduces that over its last
 * axis. Keeps GPU threads busy (and float32 sums more accurate) when few outputs each reduce many values.
 */
export function chunkedReduceProgram(op: ReduceOp, shape: readonly number[], axes: readonly number[], chunks: number): KernelProgram | null {
  const layout = reductionLayout(shape, axes);
  if (layout.loops.length !== 1) return null;
  const { extent, stride } = layout.loops[0];
  const chunkLength = Math.ceil(extent / chunks);
  const step = stride === 1 ? 'position' : `position * ${stride}`;
  const partialShape = [...layout.keptShape, chunks];
  const keptTerms = layout.keptShape
    .map((dim, axis) => (dim === 1 ? '' : layout.keptStrides[axis] === 1 ? `k${axis}` : `k${axis} * ${layout.keptStrides[axis]}`))
    .filter((term) => term !== '');
  const update = op === 'sum'
    ? `accumulator = accumulator + x0[base + ${step}];`
    : `const value = x0[base + ${step}];\nif (found === 0 || value ${op === 'max' ? '>' : '<'} accumulator) { accumulator = value; found = 1; }`;
  return {
    key: `reduce:chunked-${op}:${shape.join('x')}:${axes.join(',')}:${chunks}`,
    loopMax: chunkLength,
    source: () => kernelFunction(['x0'], [
      FLAT_INDEX,
      decomposeIndex('i', partialShape, 'k'),
      `const base = ${keptTerms.join(' + ') || '0'};`,
      `const start = k${partialShape.length - 1} * ${chunkLength};`,
      'let accumulator = 0;',
      'let found = 0;',
      `for (let r = 0; r < ${chunkLength}; r++) {`,
      '  const position = start + r;',
      `  if (position < ${extent}) {`,
      update,
      '  }',
      '}',
      // A chunk past the end (only when chunks * chunkLength overshoots) repeats the first value.
      op === 'sum' ? '' : 'if (found === 0) { accumulator = x0[base]; }',
      'return accumulator;',
    ].join('\n')),
  };
}
