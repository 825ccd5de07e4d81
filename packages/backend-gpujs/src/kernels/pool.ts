import type { Pool2DInfo, PoolMode } from '@dendrite/core/backend';
import type { KernelProgram } from '../kernel-cache.js';
import { decomposeIndex, FLAT_INDEX, kernelFunction } from './source.js';

function infoKey(info: Pool2DInfo): string {
  return [
    info.batch, info.inHeight, info.inWidth, info.channels, info.outHeight, info.outWidth,
    info.filterHeight, info.filterWidth, info.strideHeight, info.strideWidth, info.padTop, info.padLeft,
  ].join(',');
}

/** Loops over the in-bounds cells of output cell (c1, c2)'s window, running `body` with `value`. */
function windowLoops(info: Pool2DInfo, body: string): string {
  const { inHeight, inWidth, channels, filterHeight, filterWidth, strideHeight, strideWidth, padTop, padLeft } = info;
  return [
    `for (let kh = 0; kh < ${filterHeight}; kh++) {`,
    `  const ih = c1 * ${strideHeight} + kh - ${padTop};`,
    `  if (ih >= 0 && ih < ${inHeight}) {`,
    `    for (let kw = 0; kw < ${filterWidth}; kw++) {`,
    `      const iw = c2 * ${strideWidth} + kw - ${padLeft};`,
    `      if (iw >= 0 && iw < ${inWidth}) {`,
    `        const value = x0[((c0 * ${inHeight} + ih) * ${inWidth} + iw) * ${channels} + c3];`,
    body,
    '      }',
    '    }',
    '  }',
    '}',
  ].join('\n');
}

function outputCoordinates(info: Pool2DInfo): string {
  return `${FLAT_INDEX}\n${decomposeIndex('i', [info.batch, info.outHeight, info.outWidth, info.channels], 'c')}`;
}

/** Max (first maximal cell) or average (over in-bounds cells only) pooling. */
export function pool2dProgram(info: Pool2DInfo, mode: PoolMode): KernelProgram {
  const body = mode === 'max'
    ? 'if (found === 0 || value > result) { result = value; found = 1; }'
    : 'result = result + value;\ncount = count + 1;';
  return {
    key: `pool2d:${mode}:${infoKey(info)}`,
    loopMax: Math.max(info.filterHeight, info.filterWidth),
    source: () => kernelFunction(['x0'], [
      outputCoordinates(info),
      'let result = 0;',
      'let found = 0;',
      'let count = 0;',
      windowLoops(info, body),
      mode === 'avg' ? 'if (count > 0) { result = result / count; }' : '',
      'return result;',
    ].join('\n')),
  };
}

/** For each max-pool window, the position kh * filterWidth + kw of its first maximal cell (-1 if empty). */
export function poolArgmaxProgram(info: Pool2DInfo): KernelProgram {
  return {
    key: `pool2d:argmax:${infoKey(info)}`,
    loopMax: Math.max(info.filterHeight, info.filterWidth),
    source: () => kernelFunction(['x0'], [
      outputCoordinates(info),
      'let best = 0;',
      'let position = -1;',
      windowLoops(info, `if (position < 0 || value > best) { best = value; position = kh * ${info.filterWidth} + kw; }`),
      'return position;',
    ].join('\n')),
  };
}

/** The output cell (oh, ow) whose window holds input (c1, c2) at tap (kh, kw), if any. */
function windowOwner(info: Pool2DInfo): string {
  const { strideHeight, strideWidth, padTop, padLeft, outHeight, outWidth } = info;
  return [
    `const ohOffset = c1 + ${padTop} - kh;`,
    `const oh = Math.floor((ohOffset + 0.5) / ${strideHeight});`,
    `const owOffset = c2 + ${padLeft} - kw;`,
    `const ow = Math.floor((owOffset + 0.5) / ${strideWidth});`,
    `if (oh * ${strideHeight} === ohOffset && ow * ${strideWidth} === owOffset && oh >= 0 && oh < ${outHeight} && ow >= 0 && ow < ${outWidth}) {`,
    `  const outIndex = ((c0 * ${outHeight} + oh) * ${outWidth} + ow) * ${info.channels} + c3;`,
  ].join('\n');
}

/**
 * Gradient of pool2d: for each input cell, the sum over windows holding it. x0 = dy; for max x1 =
 * the argmax positions (a cell gets dy only where it is its window's first maximum), for avg each
 * window's in-bounds count is recomputed.
 */
export function pool2dBackwardProgram(info: Pool2DInfo, mode: PoolMode): KernelProgram {
  const { inHeight, inWidth, filterHeight, filterWidth, strideHeight, strideWidth, padTop, padLeft } = info;
  const contribution = mode === 'max'
    ? `  if (x1[outIndex] === kh * ${filterWidth} + kw) { sum = sum + x0[outIndex]; }`
    : [
      `  const top = oh * ${strideHeight} - ${padTop};`,
      `  const left = ow * ${strideWidth} - ${padLeft};`,
      `  const rows = Math.min(top + ${filterHeight}, ${inHeight}) - Math.max(top, 0);`,
      `  const columns = Math.min(left + ${filterWidth}, ${inWidth}) - Math.max(left, 0);`,
      '  sum = sum + x0[outIndex] / (rows * columns);',
    ].join('\n');
  return {
    key: `pool2dBackward:${mode}:${infoKey(info)}`,
    loopMax: Math.max(filterHeight, filterWidth),
    source: () => kernelFunction(mode === 'max' ? ['x0', 'x1'] : ['x0'], [
      FLAT_INDEX,
      decomposeIndex('i', [info.batch, inHeight, inWidth, info.channels], 'c'),
      'let sum = 0;',
      `for (let kh = 0; kh < ${filterHeight}; kh++) {`,
      `  for (let kw = 0; kw < ${filterWidth}; kw++) {`,
      windowOwner(info),
      contribution,
      '    }',
      '  }',
      '}',
      'return sum;',
    ].join('\n')),
  };
}
