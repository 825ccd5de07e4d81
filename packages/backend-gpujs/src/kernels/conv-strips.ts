/**
 * Convolution kernels in strips of four channels per thread, the layout trick of
 * matmul-strips.ts applied to conv2d and its two gradients. Each vectorizes the channel axis that
 * is innermost in its output:
 *
 * - conv2d: output channels. GL reads the filter packed as [kh·kw·Cin, Cout/4] RGBA texels.
 * - conv2dBackpropInput: input channels. GL reads the filter packed as [kh·kw·Cout, Cin/4].
 * - conv2dBackpropFilter (per image): output channels. GL reads dy packed as [N·outH·outW, Cout/4].
 *
 * On GL each loaded element of the other operand then meets one vec4 fetch (2 fetches per 4
 * multiply-adds instead of 8); on WebGPU (`packed` false) the kernels read plain floats, four
 * loads of the vectorized operand per load of the other.
 */
import type { Conv2DInfo } from '@dendrite/core/backend';
import type { KernelProgram } from '../kernel-cache.js';
import { infoKey, inputPosition, outputPosition } from './conv.js';
import { LANE_SUMS, LANES, laneColumns, quarter, stripCoordinates } from './matmul-strips.js';
import { decomposeIndex, kernelFunction } from './source.js';

/** Statements adding `scalar` times the four lanes read by `laneRead(lane)` (or one vec4 `vectorRead`). */
function accumulate(scalar: string, packed: boolean, vectorRead: string, laneRead: (lane: number) => string): string[] {
  if (packed) {
    return [`const lanes = ${vectorRead};`, ...LANES.map((lane) => `sum${lane} = sum${lane} + ${scalar} * lanes[${lane}];`)];
  }
  return LANES.map((lane) => `sum${lane} = sum${lane} + ${scalar} * ${laneRead(lane)};`);
}

const RETURN = 'return [sum0, sum1, sum2, sum3];';

/**
 * conv2d in strips of output channels: x0 = x [N,H,W,Cin], x1 = filter (GL: packed [kh·kw·Cin,
 * Cout/4] texels; WebGPU: [kh,kw,Cin,Cout]). Output [N·outH·outW, Cout/4] strips.
 */
export function conv2dStripProgram(info: Conv2DInfo, packed: boolean): KernelProgram {
  const { inHeight, inWidth, inChannels: cin, outHeight, outWidth, outChannels: cout, filterHeight, filterWidth } = info;
  const cout4 = quarter(cout);
  const pixels = info.batch * outHeight * outWidth;
  return {
    key: `conv2dStrips:${infoKey(info)}:${packed ? 'packed' : 'flat'}`,
    vectorOutput: true,
    loopMax: Math.max(filterHeight, filterWidth, cin),
    source: () => kernelFunction(['x0', 'x1'], [
      ...stripCoordinates(cout4, pixels),
      decomposeIndex('row', [info.batch, outHeight, outWidth], 'c'),
      ...(packed ? [] : laneColumns(cout)),
      LANE_SUMS,
      `for (let kh = 0; kh < ${filterHeight}; kh++) {`,
      inputPosition('ih', 'c1', 'kh', info.strideHeight, info.dilationHeight, info.padTop),
      `  if (ih >= 0 && ih < ${inHeight}) {`,
      `    for (let kw = 0; kw < ${filterWidth}; kw++) {`,
      inputPosition('iw', 'c2', 'kw', info.strideWidth, info.dilationWidth, info.padLeft),
      `      if (iw >= 0 && iw < ${inWidth}) {`,
      `        const xBase = ((c0 * ${inHeight} + ih) * ${inWidth} + iw) * ${cin};`,
      `        const tap = (kh * ${filterWidth} + kw) * ${cin};`,
      `        for (let ci = 0; ci < ${cin}; ci++) {`,
      '          const xValue = x0[xBase + ci];',
      ...accumulate('xValue', packed, `x1[(tap + ci) * ${cout4} + stripInRow]`, (lane) => `x1[(tap + ci) * ${cout} + column${lane}]`),
      '        }',
      '      }',
      '    }',
      '  }',
      '}',
      RETURN,
    ].join('\n')),
  };
}

/**
 * Gradient of conv2d with respect to x, in strips of input channels: x0 = dy [N,outH,outW,Cout],
 * x1 = filter (GL: packed [kh·kw·Cout, Cin/4] texels; WebGPU: [kh,kw,Cin,Cout]).
 * Output [N·H·W, Cin/4] strips.
 */
export function conv2dBackpropInputStripProgram(info: Conv2DInfo, packed: boolean): KernelProgram {
  const { inHeight, inWidth, inChannels: cin, outHeight, outWidth, outChannels: cout, filterHeight, filterWidth } = info;
  const cin4 = quarter(cin);
  const pixels = info.batch * inHeight * inWidth;
  return {
    key: `conv2dBackpropInputStrips:${infoKey(info)}:${packed ? 'packed' : 'flat'}`,
    vectorOutput: true,
    loopMax: Math.max(filterHeight, filterWidth, cout),
    source: () => kernelFunction(['x0', 'x1'], [
      ...stripCoordinates(cin4, pixels),
      decomposeIndex('row', [info.batch, inHeight, inWidth], 'c'),
      ...(packed ? [] : laneColumns(cin)),
      LANE_SUMS,
      `for (let kh = 0; kh < ${filterHeight}; kh++) {`,
      outputPosition('oh', 'c1', 'kh', info.strideHeight, info.dilationHeight, info.padTop, outHeight),
      '  if (ohValid === 1) {',
      `    for (let kw = 0; kw < ${filterWidth}; kw++) {`,
      outputPosition('ow', 'c2', 'kw', info.strideWidth, info.dilationWidth, info.padLeft, outWidth),
      '      if (owValid === 1) {',
      `        const dyBase = ((c0 * ${outHeight} + oh) * ${outWidth} + ow) * ${cout};`,
      `        const tap = kh * ${filterWidth} + kw;`,
      `        for (let co = 0; co < ${cout}; co++) {`,
      '          const dyValue = x0[dyBase + co];',
      ...accumulate('dyValue', packed, `x1[(tap * ${cout} + co) * ${cin4} + stripInRow]`, (lane) => `x1[(tap * ${cin} + column${lane}) * ${cout} + co]`),
      '        }',
      '      }',
      '    }',
      '  }',
      '}',
      RETURN,
    ].join('\n')),
  };
}

/**
 * Per-image gradient of conv2d with respect to the filter, in strips of output channels:
 * x0 = x [N,H,W,Cin], x1 = dy (GL: packed [N·outH·outW, Cout/4] texels; WebGPU: [N,outH,outW,Cout]).
 * Output [N·kh·kw·Cin, Cout/4] strips; the caller sums over N.
 */
export function conv2dBackpropFilterStripProgram(info: Conv2DInfo, packed: boolean): KernelProgram {
  const { inHeight, inWidth, inChannels: cin, outHeight, outWidth, outChannels: cout, filterHeight, filterWidth } = info;
  const cout4 = quarter(cout);
  const rows = info.batch * filterHeight * filterWidth * cin;
  return {
    key: `conv2dBackpropFilterStrips:${infoKey(info)}:${packed ? 'packed' : 'flat'}`,
    vectorOutput: true,
    loopMax: Math.max(outHeight, outWidth),
    source: () => kernelFunction(['x0', 'x1'], [
      ...stripCoordinates(cout4, rows),
      decomposeIndex('row', [info.batch, filterHeight, filterWidth, cin], 'c'),
      ...(packed ? [] : laneColumns(cout)),
      LANE_SUMS,
      `for (let oh = 0; oh < ${outHeight}; oh++) {`,
      inputPosition('ih', 'oh', 'c1', info.strideHeight, info.dilationHeight, info.padTop),
      `  if (ih >= 0 && ih < ${inHeight}) {`,
      `    for (let ow = 0; ow < ${outWidth}; ow++) {`,
      inputPosition('iw', 'ow', 'c2', info.strideWidth, info.dilationWidth, info.padLeft),
      `      if (iw >= 0 && iw < ${inWidth}) {`,
      `        const xValue = x0[((c0 * ${inHeight} + ih) * ${inWidth} + iw) * ${cin} + c3];`,
      `        const dyPixel = (c0 * ${outHeight} + oh) * ${outWidth} + ow;`,
      ...accumulate('xValue', packed, `x1[dyPixel * ${cout4} + stripInRow]`, (lane) => `x1[dyPixel * ${cout} + column${lane}]`),
      '      }',
      '    }',
      '  }',
      '}',
      RETURN,
    ].join('\n')),
  };
}
