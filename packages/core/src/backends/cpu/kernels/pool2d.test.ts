import { describe, expect, it } from 'vitest';
import type { Pool2DInfo, PoolMode } from '../../../backend/backend.js';
import { createCpuBackend } from '../cpu-backend.js';
import { expectClose, randomFloats, randomInts, readValues, seededRandom, tensorOf } from '../test-helpers.js';

function infoOf(
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

function naivePool(x: ArrayLike<number>, dy: ArrayLike<number>, info: Pool2DInfo, mode: PoolMode) {
  const out: number[] = [];
  const dx = new Float64Array(x.length);
  let outIndex = 0;
  for (let n = 0; n < info.batch; n++) {
    for (let oy = 0; oy < info.outHeight; oy++) {
      for (let ox = 0; ox < info.outWidth; ox++) {
        for (let c = 0; c < info.channels; c++, outIndex++) {
          const cells = windowCells(info, n, oy, ox, c);
          if (mode === 'avg') {
            out.push(cells.reduce((sum, cell) => sum + x[cell], 0) / cells.length);
            for (const cell of cells) dx[cell] += dy[outIndex] / cells.length;
          } else {
            let best = cells[0];
            for (const cell of cells) if (x[cell] > x[best]) best = cell;
            out.push(x[best]);
            dx[best] += dy[outIndex];
          }
        }
      }
    }
  }
  return { out, dx };
}

describe('cpu pool2d', () => {
  const backend = createCpuBackend();
  const random = seededRandom(15);
  const cases: Pool2DInfo[] = [
    infoOf(1, 4, 4, 1, [2, 2], [2, 2], [0, 0, 0, 0]),
    infoOf(2, 5, 7, 3, [3, 3], [2, 2], [1, 1, 1, 1]),
    infoOf(2, 6, 5, 4, [3, 2], [1, 2], [1, 1, 0, 1]),
    infoOf(1, 7, 7, 2, [3, 3], [1, 1], [1, 1, 1, 1]),
    infoOf(3, 3, 3, 5, [3, 3], [3, 3], [0, 0, 0, 0]),
  ];

  for (const mode of ['max', 'avg'] as const) {
    for (const info of cases) {
      it(`${mode} pool and its gradient: ${info.batch}x${info.inHeight}x${info.inWidth}x${info.channels} ` +
        `window ${info.filterHeight}x${info.filterWidth} stride ${info.strideHeight},${info.strideWidth} ` +
        `pad ${info.padTop},${info.padLeft}`, () => {
        // Integer values make ties frequent, so the first-maximal-cell rule is exercised.
        const x = Float32Array.from(randomInts(info.batch * info.inHeight * info.inWidth * info.channels, random, 0, 4));
        const dy = randomFloats(info.batch * info.outHeight * info.outWidth * info.channels, random);
        const expected = naivePool(x, dy, info, mode);
        const xShape = [info.batch, info.inHeight, info.inWidth, info.channels];
        const dyShape = [info.batch, info.outHeight, info.outWidth, info.channels];
        const xTensor = tensorOf(backend, x, xShape);
        expectClose(readValues(backend, backend.pool2d(xTensor, info, mode)), expected.out, 1e-6, 1e-6);
        const dx = backend.pool2dBackward(tensorOf(backend, dy, dyShape), xTensor, info, mode);
        expectClose(readValues(backend, dx), expected.dx, 1e-6, 1e-6);
      });
    }
  }

  it('averages only in-bounds cells at the border', () => {
    const info = infoOf(1, 2, 2, 1, [2, 2], [1, 1], [1, 0, 1, 0]);
    const x = tensorOf(backend, new Float32Array([1, 2, 3, 4]), [1, 2, 2, 1]);
    expect(Array.from(readValues(backend, backend.pool2d(x, info, 'avg')))).toEqual([1, 1.5, 2, 2.5]);
  });
});
