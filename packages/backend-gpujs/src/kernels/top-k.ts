import type { KernelProgram } from '../kernel-cache.js';
import { decomposeIndex, FLAT_INDEX, kernelFunction } from './source.js';

/**
 * Index of the (j+1)-th largest entry of each row of x [rows, n], for out [rows, k]: thread (row, j)
 * walks the row j+1 times, each time taking the best entry that ranks after the previous pick
 * (descending value, ties by ascending index). O(k·n) per thread: simple and exact, which is all
 * ranking needs (k is small; the CPU backend uses a heap).
 */
export function topKIndicesProgram(rows: number, n: number, k: number): KernelProgram {
  return {
    key: `topK:indices:${rows}x${n}:${k}`,
    loopMax: Math.max(n, k),
    source: () => kernelFunction(['x0'], [
      FLAT_INDEX,
      decomposeIndex('i', [rows, k], 'c'),
      `const base = c0 * ${n};`,
      'let previousValue = 0;',
      'let previousIndex = -1;',
      `for (let t = 0; t < ${k}; t++) {`,
      '  if (t <= c1) {',
      '    let bestValue = 0;',
      '    let bestIndex = -1;',
      `    for (let r = 0; r < ${n}; r++) {`,
      '      const value = x0[base + r];',
      // Whether entry r ranks after the previous pick (every entry does before the first pick).
      '      let after = 1;',
      '      if (previousIndex >= 0) {',
      '        after = 0;',
      '        if (value < previousValue) { after = 1; }',
      '        if (value === previousValue) { if (r > previousIndex) { after = 1; } }',
      '      }',
      '      if (after > 0) {',
      '        if (bestIndex < 0) { bestValue = value; bestIndex = r; }',
      '        if (value > bestValue) { bestValue = value; bestIndex = r; }',
      '      }',
      '    }',
      '    previousValue = bestValue;',
      '    previousIndex = bestIndex;',
      '  }',
      '}',
      'return previousIndex;',
    ].join('\n')),
  };
}

/** The k picked indices of each row (x0 [rows, k], distinct) reordered ascending: out[row, j] has j smaller ones. */
export function topKAscendingIndicesProgram(rows: number, k: number): KernelProgram {
  return {
    key: `topK:ascending:${rows}x${k}`,
    loopMax: k,
    source: () => kernelFunction(['x0'], [
      FLAT_INDEX,
      decomposeIndex('i', [rows, k], 'c'),
      `const base = c0 * ${k};`,
      'let picked = 0;',
      `for (let a = 0; a < ${k}; a++) {`,
      '  const candidate = x0[base + a];',
      '  let smaller = 0;',
      `  for (let b = 0; b < ${k}; b++) {`,
      '    if (x0[base + b] < candidate) { smaller = smaller + 1; }',
      '  }',
      '  if (smaller === c1) { picked = candidate; }',
      '}',
      'return picked;',
    ].join('\n')),
  };
}

/** out[row, j] = x0[row, x1[row, j]] for x0 [rows, n] and indices x1 [rows, k]. */
export function topKValuesProgram(rows: number, n: number, k: number): KernelProgram {
  return {
    key: `topK:values:${rows}x${n}:${k}`,
    source: () => kernelFunction(['x0', 'x1'], [
      FLAT_INDEX,
      decomposeIndex('i', [rows, k], 'c'),
      `return x0[c0 * ${n} + x1[i]];`,
    ].join('\n')),
  };
}
