/**
 * Naive reference loops for the convolution and pooling tests (TypeScript kernels and the wasm
 * accelerator alike): geometry builders and the definitions, accumulated in float64.
 */
import type { Conv2DInfo, Pool2DInfo, PoolMode } from '../../backend/backend.js';

/** A convolution case as a test states it. */
export interface ConvGeometry {
  batch: number; height: number; width: number; inChannels: number; outChannels: number;
  filterHeight: number; filterWidth: number; stride: [number, number]; dilation: [number, number];
  pad: [number, number, number, number]; // top, bottom, left, right
}

export function convInfoOf(g: ConvGeometry): Conv2DInfo {
  const [padTop, padBottom, padLeft, padRight] = g.pad;
  const effectiveHeight = (g.filterHeight - 1) * g.dilation[0] + 1;
  const effectiveWidth = (g.filterWidth - 1) * g.dilation[1] + 1;
  return {
    batch: g.batch, inHeight: g.height, inWidth: g.width, inChannels: g.inChannels, outChannels: g.outChannels,
    outHeight: Math.floor((g.height + padTop + padBottom - effectiveHeight) / g.stride[0]) + 1,
    outWidth: Math.floor((g.width + padLeft + padRight - effectiveWidth) / g.stride[1]) + 1,
    filterHeight: g.filterHeight, filterWidth: g.filterWidth, strideHeight: g.stride[0], strideWidth: g.stride[1],
    dilationHeight: g.dilation[0], dilationWidth: g.dilation[1], padTop, padLeft,
  };
}

export function describeConvGeometry(g: ConvGeometry): string {
  return `${g.batch}x${g.height}x${g.width}x${g.inChannels} * ${g.filterHeight}x${g.filterWidth}x${g.outChannels}` +
    ` stride ${g.stride.join(',')} dilation ${g.dilation.join(',')} pad ${g.pad.join(',')}`;
}

/**
 * Visit every (output cell, filter tap, input cell) triple of the convolution: the one loop nest
 * from which the forward pass and both gradients follow by definition.
 */
function forEachTap(info: Conv2DInfo, visit: (xIndex: number, filterBase: number, outBase: number) => void): void {
  for (let n = 0; n < info.batch; n++) {
    for (let oy = 0; oy < info.outHeight; oy++) {
      for (let ox = 0; ox < info.outWidth; ox++) {
        for (let fy = 0; fy < info.filterHeight; fy++) {
          for (let fx = 0; fx < info.filterWidth; fx++) {
            const iy = oy * info.strideHeight - info.padTop + fy * info.dilationHeight;
            const ix = ox * info.strideWidth - info.padLeft + fx * info.dilationWidth;
            if (iy < 0 || iy >= info.inHeight || ix < 0 || ix >= info.inWidth) continue;
            for (let c = 0; c < info.inChannels; c++) {
              visit(((n * info.inHeight + iy) * info.inWidth + ix) * info.inChannels + c,
                ((fy * info.filterWidth + fx) * info.inChannels + c) * info.outChannels,
                ((n * info.outHeight + oy) * info.outWidth + ox) * info.outChannels);
            }
          }
        }
      }
    }
  }
}

/** The forward output and both gradients (for output gradient `dy`) of a convolution, by definition. */
export function naiveConv2d(
  info: Conv2DInfo, x: ArrayLike<number>, filter: ArrayLike<number>, dy: ArrayLike<number>,
): { out: Float64Array; dx: Float64Array; dFilter: Float64Array } {
  const out = new Float64Array(dy.length);
  const dx = new Float64Array(x.length);
  const dFilter = new Float64Array(filter.length);
  forEachTap(info, (xIndex, filterBase, outBase) => {
    for (let co = 0; co < info.outChannels; co++) {
      out[outBase + co] += x[xIndex] * filter[filterBase + co];
      dx[xIndex] += dy[outBase + co] * filter[filterBase + co];
      dFilter[filterBase + co] += x[xIndex] * dy[outBase + co];
    }
  });
  return { out, dx, dFilter };
}

export function poolInfoOf(
  batch: number, height: number, width: number, channels: number, filter: [number, number],
  stride: [number, number], pad: [number, number, number, number],
): Pool2DInfo {
  const [padTop, padBottom, padLeft, padRight] = pad;
  return {
    batch, inHeight: height, inWidth: width, channels,
    outHeight: Math.floor((height + padTop + padBottom - filter[0]) / stride[0]) + 1,
    outWidth: Math.floor((width + padLeft + padRight - filter[1]) / stride[1]) + 1,
    filterHeight: filter[0], filterWidth: filter[1], strideHeight: stride[0], strideWidth: stride[1], padTop, padLeft,
  };
}

export function describePoolInfo(info: Pool2DInfo): string {
  return `${info.batch}x${info.inHeight}x${info.inWidth}x${info.channels} window ${info.filterHeight}x${info.filterWidth} ` +
    `stride ${info.strideHeight},${info.strideWidth} pad ${info.padTop},${info.padLeft}`;
}

/** Naive pooling: for each output cell, the in-bounds input cells of its window in row-major order. */
function windowCells(info: Pool2DInfo, n: number, oy: number, ox: number, c: number): number[] {
  const cells: number[] = [];
  for (let fy = 0; fy < info.filterHeight; fy++) {
    for (let fx = 0; fx < info.filterWidth; fx++) {
      const iy = oy * info.strideHeight - info.padTop + fy;
      const ix = ox * info.strideWidth - info.padLeft + fx;
      if (iy >= 0 && iy < info.inHeight && ix >= 0 && ix < info.inWidth) {
        cells.push(((n * info.inHeight + iy) * info.inWidth + ix) * info.channels + c);
      }
    }
  }
  return cells;
}

/**
 * Pooling and its gradient by definition: max takes the first strictly greatest cell (a NaN, once
 * seen, wins), average divides by the in-bounds cells, and a window with none gives 0.
 */
export function naivePool(
  x: ArrayLike<number>, dy: ArrayLike<number>, info: Pool2DInfo, mode: PoolMode,
): { out: number[]; dx: Float64Array } {
  const out: number[] = [];
  const dx = new Float64Array(x.length);
  let outIndex = 0;
  for (let n = 0; n < info.batch; n++) {
    for (let oy = 0; oy < info.outHeight; oy++) {
      for (let ox = 0; ox < info.outWidth; ox++) {
        for (let c = 0; c < info.channels; c++, outIndex++) {
          const cells = windowCells(info, n, oy, ox, c);
          if (cells.length === 0) {
            out.push(0);
          } else if (mode === 'avg') {
            out.push(cells.reduce((sum, cell) => sum + x[cell], 0) / cells.length);
            for (const cell of cells) dx[cell] += dy[outIndex] / cells.length;
          } else {
            let best = cells[0];
            for (const cell of cells) {
              if (x[cell] > x[best] || (Number.isNaN(x[cell]) && !Number.isNaN(x[best]))) best = cell;
            }
            out.push(x[best]);
            dx[best] += dy[outIndex];
          }
        }
      }
    }
  }
  return { out, dx };
}
