import type { Conv2DInfo, Pool2DInfo } from '../backend/backend.js';
import { check } from '../errors.js';

/** 'same' keeps ceil(size / stride), 'valid' uses only full windows, or explicit [top, bottom, left, right]. */
export type Padding = 'same' | 'valid' | number | readonly [number, number, number, number];

/** One number for both spatial dimensions, or [height, width]. */
export type Pair = number | readonly [number, number];

export function pair(value: Pair): [number, number] {
  return typeof value === 'number' ? [value, value] : [value[0], value[1]];
}

/** [before, after] padding of one spatial dim (0 rows, 1 columns) for numeric, 'valid' or explicit padding. */
export function explicitPadding(padding: Exclude<Padding, 'same'>, dim: 0 | 1): [number, number] {
  if (padding === 'valid') return [0, 0];
  if (typeof padding === 'number') return [padding, padding];
  return dim === 0 ? [padding[0], padding[1]] : [padding[2], padding[3]];
}

/** Output size and top/left padding of one spatial dim (conv and pooling alike). */
function resolveDim(op: string, inSize: number, filterSize: number, stride: number, dilation: number, padding: Padding, dim: 0 | 1) {
  check([filterSize, stride, dilation].every((v) => Number.isInteger(v) && v > 0), op, () =>
    `window ${filterSize}, stride ${stride} and dilation ${dilation} must be positive integers`);
  const effective = (filterSize - 1) * dilation + 1;
  if (padding === 'same') {
    const outSize = Math.ceil(inSize / stride);
    const total = Math.max(0, (outSize - 1) * stride + effective - inSize);
    return { outSize, padBefore: Math.floor(total / 2) };
  }
  const [before, after] = explicitPadding(padding, dim);
  const outSize = Math.floor((inSize + before + after - effective) / stride) + 1;
  check(outSize > 0, op, () => `window of ${effective} (filter ${filterSize}, dilation ${dilation}) does not fit input size ${inSize} with padding ${before}+${after}`);
  return { outSize, padBefore: before };
}

/** Resolve conv2d geometry from NHWC input and [kh, kw, Cin, Cout] filter shapes. */
export function convGeometry(op: string, inputShape: readonly number[], filterShape: readonly number[], stride: Pair, padding: Padding, dilation: Pair): Conv2DInfo {
  const [batch, inHeight, inWidth, inChannels] = inputShape;
  const [filterHeight, filterWidth, filterIn, outChannels] = filterShape;
  check(filterIn === inChannels, op, () => `input has ${inChannels} channels but the filter expects ${filterIn}`);
  const [strideHeight, strideWidth] = pair(stride);
  const [dilationHeight, dilationWidth] = pair(dilation);
  const rows = resolveDim(op, inHeight, filterHeight, strideHeight, dilationHeight, padding, 0);
  const cols = resolveDim(op, inWidth, filterWidth, strideWidth, dilationWidth, padding, 1);
  return {
    batch, inHeight, inWidth, inChannels, outHeight: rows.outSize, outWidth: cols.outSize, outChannels,
    filterHeight, filterWidth, strideHeight, strideWidth, dilationHeight, dilationWidth,
    padTop: rows.padBefore, padLeft: cols.padBefore,
  };
}

export function poolGeometry(op: string, inputShape: readonly number[], filterSize: Pair, stride: Pair, padding: Padding): Pool2DInfo {
  const [batch, inHeight, inWidth, channels] = inputShape;
  const [filterHeight, filterWidth] = pair(filterSize);
  const [strideHeight, strideWidth] = pair(stride);
  const rows = resolveDim(op, inHeight, filterHeight, strideHeight, 1, padding, 0);
  const cols = resolveDim(op, inWidth, filterWidth, strideWidth, 1, padding, 1);
  return {
    batch, inHeight, inWidth, channels, outHeight: rows.outSize, outWidth: cols.outSize,
    filterHeight, filterWidth, strideHeight, strideWidth, padTop: rows.padBefore, padLeft: cols.padBefore,
  };
}
