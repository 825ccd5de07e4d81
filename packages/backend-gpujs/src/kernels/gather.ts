import type { KernelProgram } from '../kernel-cache.js';
import { aroundAxis, decomposeIndex, FLAT_INDEX, kernelFunction } from './source.js';

/** out[o, j, r] = x[o, indices[j], r]. */
export function gatherProgram(shape: readonly number[], indexCount: number, axis: number): KernelProgram {
  const [outer, axisLength, inner] = aroundAxis(shape, axis);
  return {
    key: `gather:${shape.join('x')}:${indexCount}:${axis}`,
    source: () => kernelFunction(['x0', 'x1'], [
      FLAT_INDEX,
      decomposeIndex('i', [outer, indexCount, inner], 'c'),
      'const index = x1[c1];',
      `return x0[(c0 * ${axisLength} + index) * ${inner} + c2];`,
    ].join('\n')),
  };
}

/**
 * scatterAdd when the indices are only on the device: each output element scans every index
 * (O(outSize × indexCount)), summing the updates whose index points at it, in index order.
 */
export function scatterAddScanProgram(outShape: readonly number[], indexCount: number, axis: number): KernelProgram {
  const [outer, axisLength, inner] = aroundAxis(outShape, axis);
  return {
    key: `scatterAdd:scan:${outShape.join('x')}:${indexCount}:${axis}`,
    loopMax: indexCount,
    source: () => kernelFunction(['x0', 'x1'], [
      FLAT_INDEX,
      decomposeIndex('i', [outer, axisLength, inner], 'c'),
      'let sum = 0;',
      `for (let j = 0; j < ${indexCount}; j++) {`,
      `  if (x1[j] === c1) { sum = sum + x0[(c0 * ${indexCount} + j) * ${inner} + c2]; }`,
      '}',
      'return sum;',
    ].join('\n')),
  };
}

/**
 * scatterAdd from index lists built on the host (indices uploaded by the caller): x1 holds the
 * update positions sorted by target (stable, so sums keep index order), x2 the start of each
 * target's run (axisLength + 1 entries). Each output element loops over its own run only.
 */
export function scatterAddListProgram(outShape: readonly number[], indexCount: number, axis: number, longestRun: number): KernelProgram {
  const [outer, axisLength, inner] = aroundAxis(outShape, axis);
  return {
    key: `scatterAdd:lists:${outShape.join('x')}:${indexCount}:${axis}:${longestRun}`,
    loopMax: Math.max(1, longestRun),
    source: () => kernelFunction(['x0', 'x1', 'x2'], [
      FLAT_INDEX,
      decomposeIndex('i', [outer, axisLength, inner], 'c'),
      'const start = x2[c1];',
      'const count = x2[c1 + 1] - start;',
      'let sum = 0;',
      `for (let t = 0; t < ${Math.max(1, longestRun)}; t++) {`,
      '  if (t < count) {',
      '    const j = x1[start + t];',
      `    sum = sum + x0[(c0 * ${indexCount} + j) * ${inner} + c2];`,
      '  }',
      '}',
      'return sum;',
    ].join('\n')),
  };
}

/** Host-side index lists for {@link scatterAddListProgram}: order by target, run starts, longest run. */
export function scatterIndexLists(indices: Int32Array, axisLength: number): { order: Float32Array; starts: Float32Array; longestRun: number } {
  const counts = new Int32Array(axisLength + 1);
  for (const index of indices) counts[index + 1]++;
  let longestRun = 0;
  for (let target = 0; target < axisLength; target++) {
    longestRun = Math.max(longestRun, counts[target + 1]);
    counts[target + 1] += counts[target];
  }
  const starts = Float32Array.from(counts);
  const cursor = counts.slice(0, axisLength);
  const order = new Float32Array(indices.length);
  for (let position = 0; position < indices.length; position++) order[cursor[indices[position]]++] = position;
  return { order, starts, longestRun };
}
