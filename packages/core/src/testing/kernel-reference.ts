/**
 * Naive reference loops for the kernel checks: obviously-correct plain TypeScript, written from
 * the `Kernels` doc comments, independent of every backend (the CPU backend included), so even
 * shape helpers are written out here rather than imported.
 */
import type { BinaryOp, Conv2DInfo, Pool2DInfo, UnaryOp } from '../backend/backend.js';

export function sizeOf(shape: readonly number[]): number {
  return shape.reduce((product, dim) => product * dim, 1);
}

export function stridesOf(shape: readonly number[]): number[] {
  const strides: number[] = [];
  let stride = 1;
  for (let axis = shape.length - 1; axis >= 0; axis--) {
    strides[axis] = stride;
    stride *= shape[axis];
  }
  return strides;
}

/** Coordinates of flat index `index` in `shape`. */
export function coordinatesOf(index: number, shape: readonly number[]): number[] {
  const coordinates = new Array<number>(shape.length);
  for (let axis = shape.length - 1; axis >= 0; axis--) {
    coordinates[axis] = index % shape[axis];
    index = Math.floor(index / shape[axis]);
  }
  return coordinates;
}

/** Flat index of output coordinates in an input broadcast to the output. */
export function broadcastFlat(coordinates: readonly number[], inputShape: readonly number[]): number {
  const offset = coordinates.length - inputShape.length;
  const strides = stridesOf(inputShape);
  let flat = 0;
  for (let axis = 0; axis < inputShape.length; axis++) {
    if (inputShape[axis] !== 1) flat += coordinates[axis + offset] * strides[axis];
  }
  return flat;
}

function erf(x: number): number {
  // High-accuracy series/continued fraction is overkill; this rational approximation is 1.2e-7.
  const t = 1 / (1 + 0.5 * Math.abs(x));
  const y = 1 - t * Math.exp(-x * x - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 +
    t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))));
  return x >= 0 ? y : -y;
}

export const UNARY: Record<UnaryOp, (v: number) => number> = {
  neg: (v) => -v, exp: Math.exp, log: Math.log, sqrt: Math.sqrt, abs: Math.abs, sign: Math.sign,
  sigmoid: (v) => 1 / (1 + Math.exp(-v)), tanh: Math.tanh, relu: (v) => Math.max(v, 0), erf,
  floor: Math.floor, sin: Math.sin, cos: Math.cos,
};

export const BINARY: Record<BinaryOp, (a: number, b: number) => number> = {
  add: (a, b) => a + b, sub: (a, b) => a - b, mul: (a, b) => a * b, div: (a, b) => a / b, pow: Math.pow,
  maximum: Math.max, minimum: Math.min, equal: (a, b) => Number(a === b), notEqual: (a, b) => Number(a !== b),
  less: (a, b) => Number(a < b), lessEqual: (a, b) => Number(a <= b), greater: (a, b) => Number(a > b),
  greaterEqual: (a, b) => Number(a >= b),
};

/** Elementwise over broadcast inputs. */
export function broadcastMap(
  inputs: ReadonlyArray<{ values: ArrayLike<number>; shape: readonly number[] }>, outShape: readonly number[],
  combine: (...values: number[]) => number,
): number[] {
  const out: number[] = [];
  for (let index = 0; index < sizeOf(outShape); index++) {
    const coordinates = coordinatesOf(index, outShape);
    out.push(combine(...inputs.map((input) => input.values[broadcastFlat(coordinates, input.shape)])));
  }
  return out;
}

export function reduceReference(values: ArrayLike<number>, shape: readonly number[], axes: readonly number[], op: 'sum' | 'max' | 'min'): number[] {
  const outShape = shape.filter((_, axis) => !axes.includes(axis));
  const out = new Array<number>(sizeOf(outShape)).fill(op === 'sum' ? 0 : op === 'max' ? -Infinity : Infinity);
  for (let index = 0; index < sizeOf(shape); index++) {
    const coordinates = coordinatesOf(index, shape);
    const kept = coordinates.filter((_, axis) => !axes.includes(axis));
    const target = kept.reduce((flat, coordinate, axis) => flat * outShape[axis] + coordinate, 0);
    const value = values[index];
    out[target] = op === 'sum' ? out[target] + value : op === 'max' ? Math.max(out[target], value) : Math.min(out[target], value);
  }
  return out;
}

export function argReduceReference(values: ArrayLike<number>, shape: readonly number[], axis: number, op: 'argmax' | 'argmin'): number[] {
  const outShape = shape.filter((_, index) => index !== axis);
  const best = new Array<number>(sizeOf(outShape)).fill(NaN);
  const bestIndex = new Array<number>(sizeOf(outShape)).fill(0);
  for (let index = 0; index < sizeOf(shape); index++) {
    const coordinates = coordinatesOf(index, shape);
    const kept = coordinates.filter((_, position) => position !== axis);
    const target = kept.reduce((flat, coordinate, position) => flat * outShape[position] + coordinate, 0);
    const value = values[index];
    const better = Number.isNaN(best[target]) || (op === 'argmax' ? value > best[target] : value < best[target]);
    if (better) {
      best[target] = value;
      bestIndex[target] = coordinates[axis];
    }
  }
  return bestIndex;
}

export function matmulReference(
  a: ArrayLike<number>, aShape: readonly number[], b: ArrayLike<number>, bShape: readonly number[],
  transposeA: boolean, transposeB: boolean, outShape: readonly number[],
): number[] {
  const rank = outShape.length;
  const [m, n] = [outShape[rank - 2], outShape[rank - 1]];
  const k = transposeA ? aShape[rank - 2] : aShape[rank - 1];
  const out: number[] = [];
  for (let index = 0; index < sizeOf(outShape); index++) {
    const coordinates = coordinatesOf(index, outShape);
    const batch = coordinates.slice(0, rank - 2);
    const aBatch = broadcastFlat(batch, aShape.slice(0, rank - 2)) * m * k;
    const bBatch = broadcastFlat(batch, bShape.slice(0, rank - 2)) * k * n;
    const [row, column] = [coordinates[rank - 2], coordinates[rank - 1]];
    let sum = 0;
    for (let step = 0; step < k; step++) {
      const aValue = a[aBatch + (transposeA ? step * m + row : row * k + step)];
      const bValue = b[bBatch + (transposeB ? column * k + step : step * n + column)];
      sum += aValue * bValue;
    }
    out.push(sum);
  }
  return out;
}

export function conv2dReference(x: ArrayLike<number>, filter: ArrayLike<number>, info: Conv2DInfo): number[] {
  const out: number[] = [];
  for (let n = 0; n < info.batch; n++) for (let oh = 0; oh < info.outHeight; oh++) for (let ow = 0; ow < info.outWidth; ow++) {
    for (let co = 0; co < info.outChannels; co++) {
      let sum = 0;
      for (let kh = 0; kh < info.filterHeight; kh++) for (let kw = 0; kw < info.filterWidth; kw++) {
        const ih = oh * info.strideHeight + kh * info.dilationHeight - info.padTop;
        const iw = ow * info.strideWidth + kw * info.dilationWidth - info.padLeft;
        if (ih < 0 || ih >= info.inHeight || iw < 0 || iw >= info.inWidth) continue;
        for (let ci = 0; ci < info.inChannels; ci++) {
          sum += x[((n * info.inHeight + ih) * info.inWidth + iw) * info.inChannels + ci] *
            filter[((kh * info.filterWidth + kw) * info.inChannels + ci) * info.outChannels + co];
        }
      }
      out.push(sum);
    }
  }
  return out;
}

/** dx and dfilter by scattering each output gradient back through the forward sum. */
export function conv2dBackpropReference(x: ArrayLike<number>, filter: ArrayLike<number>, dy: ArrayLike<number>, info: Conv2DInfo): { dx: number[]; dfilter: number[] } {
  const dx = new Array<number>(info.batch * info.inHeight * info.inWidth * info.inChannels).fill(0);
  const dfilter = new Array<number>(info.filterHeight * info.filterWidth * info.inChannels * info.outChannels).fill(0);
  for (let n = 0; n < info.batch; n++) for (let oh = 0; oh < info.outHeight; oh++) for (let ow = 0; ow < info.outWidth; ow++) {
    for (let co = 0; co < info.outChannels; co++) {
      const gradient = dy[((n * info.outHeight + oh) * info.outWidth + ow) * info.outChannels + co];
      for (let kh = 0; kh < info.filterHeight; kh++) for (let kw = 0; kw < info.filterWidth; kw++) {
        const ih = oh * info.strideHeight + kh * info.dilationHeight - info.padTop;
        const iw = ow * info.strideWidth + kw * info.dilationWidth - info.padLeft;
        if (ih < 0 || ih >= info.inHeight || iw < 0 || iw >= info.inWidth) continue;
        for (let ci = 0; ci < info.inChannels; ci++) {
          const xIndex = ((n * info.inHeight + ih) * info.inWidth + iw) * info.inChannels + ci;
          const filterIndex = ((kh * info.filterWidth + kw) * info.inChannels + ci) * info.outChannels + co;
          dx[xIndex] += gradient * filter[filterIndex];
          dfilter[filterIndex] += gradient * x[xIndex];
        }
      }
    }
  }
  return { dx, dfilter };
}

/** Pooling forward and backward; max routes to the first maximal cell, avg counts in-bounds cells. */
export function poolReference(x: ArrayLike<number>, dy: ArrayLike<number> | null, info: Pool2DInfo, mode: 'max' | 'avg'): { y: number[]; dx: number[] } {
  const y: number[] = [];
  const dx = new Array<number>(info.batch * info.inHeight * info.inWidth * info.channels).fill(0);
  let outIndex = 0;
  for (let n = 0; n < info.batch; n++) for (let oh = 0; oh < info.outHeight; oh++) for (let ow = 0; ow < info.outWidth; ow++) {
    for (let c = 0; c < info.channels; c++, outIndex++) {
      const cells: number[] = [];
      for (let kh = 0; kh < info.filterHeight; kh++) for (let kw = 0; kw < info.filterWidth; kw++) {
        const ih = oh * info.strideHeight + kh - info.padTop;
        const iw = ow * info.strideWidth + kw - info.padLeft;
        if (ih >= 0 && ih < info.inHeight && iw >= 0 && iw < info.inWidth) cells.push(((n * info.inHeight + ih) * info.inWidth + iw) * info.channels + c);
      }
      if (mode === 'max') {
        let best = cells[0];
        for (const cell of cells) if (x[cell] > x[best]) best = cell;
        y.push(x[best]);
        if (dy) dx[best] += dy[outIndex];
      } else {
        y.push(cells.reduce((sum, cell) => sum + x[cell], 0) / cells.length);
        if (dy) for (const cell of cells) dx[cell] += dy[outIndex] / cells.length;
      }
    }
  }
  return { y, dx };
}
