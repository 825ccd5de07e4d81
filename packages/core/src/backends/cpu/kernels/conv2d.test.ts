import { describe, it } from 'vitest';
import type { Conv2DInfo } from '../../../backend/backend.js';
import { createCpuBackend } from '../cpu-backend.js';
import { expectClose, randomFloats, readValues, seededRandom, tensorOf } from '../test-helpers.js';

interface Geometry {
  batch: number; height: number; width: number; inChannels: number; outChannels: number;
  filterHeight: number; filterWidth: number; stride: [number, number]; dilation: [number, number];
  pad: [number, number, number, number]; // top, bottom, left, right
}

function infoOf(g: Geometry): Conv2DInfo {
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

const GEOMETRIES: Geometry[] = [
  { batch: 1, height: 5, width: 5, inChannels: 1, outChannels: 1, filterHeight: 3, filterWidth: 3, stride: [1, 1], dilation: [1, 1], pad: [0, 0, 0, 0] },
  { batch: 2, height: 7, width: 6, inChannels: 3, outChannels: 4, filterHeight: 3, filterWidth: 3, stride: [1, 1], dilation: [1, 1], pad: [1, 1, 1, 1] },
  { batch: 2, height: 9, width: 8, inChannels: 2, outChannels: 5, filterHeight: 3, filterWidth: 2, stride: [2, 3], dilation: [1, 1], pad: [1, 0, 0, 1] },
  { batch: 1, height: 10, width: 11, inChannels: 3, outChannels: 2, filterHeight: 3, filterWidth: 3, stride: [1, 2], dilation: [2, 3], pad: [2, 2, 3, 3] },
  { batch: 3, height: 4, width: 4, inChannels: 5, outChannels: 6, filterHeight: 1, filterWidth: 1, stride: [1, 1], dilation: [1, 1], pad: [0, 0, 0, 0] },
  { batch: 2, height: 6, width: 6, inChannels: 4, outChannels: 3, filterHeight: 1, filterWidth: 1, stride: [2, 2], dilation: [1, 1], pad: [0, 0, 0, 0] },
  { batch: 1, height: 4, width: 5, inChannels: 2, outChannels: 3, filterHeight: 5, filterWidth: 5, stride: [1, 1], dilation: [1, 1], pad: [2, 2, 2, 2] },
  // Enough output rows and patch values that im2col runs in several chunks.
  { batch: 4, height: 24, width: 24, inChannels: 64, outChannels: 4, filterHeight: 3, filterWidth: 3, stride: [1, 1], dilation: [1, 1], pad: [1, 1, 1, 1] },
];

function describeGeometry(g: Geometry): string {
  return `${g.batch}x${g.height}x${g.width}x${g.inChannels} * ${g.filterHeight}x${g.filterWidth}x${g.outChannels}` +
    ` stride ${g.stride.join(',')} dilation ${g.dilation.join(',')} pad ${g.pad.join(',')}`;
}

describe('cpu conv2d', () => {
  const backend = createCpuBackend();
  const random = seededRandom(14);

  for (const geometry of GEOMETRIES) {
    it(`forward and both gradients: ${describeGeometry(geometry)}`, () => {
      const info = infoOf(geometry);
      const xShape = [info.batch, info.inHeight, info.inWidth, info.inChannels];
      const filterShape = [info.filterHeight, info.filterWidth, info.inChannels, info.outChannels];
      const outShape = [info.batch, info.outHeight, info.outWidth, info.outChannels];
      const x = randomFloats(xShape.reduce((a, b) => a * b), random);
      const filter = randomFloats(filterShape.reduce((a, b) => a * b), random);
      const dy = randomFloats(outShape.reduce((a, b) => a * b), random);

      const expectedOut = new Float64Array(dy.length);
      const expectedDx = new Float64Array(x.length);
      const expectedDFilter = new Float64Array(filter.length);
      forEachTap(info, (xIndex, filterBase, outBase) => {
        for (let co = 0; co < info.outChannels; co++) {
          expectedOut[outBase + co] += x[xIndex] * filter[filterBase + co];
          expectedDx[xIndex] += dy[outBase + co] * filter[filterBase + co];
          expectedDFilter[filterBase + co] += x[xIndex] * dy[outBase + co];
        }
      });

      const xTensor = tensorOf(backend, x, xShape);
      const filterTensor = tensorOf(backend, filter, filterShape);
      const dyTensor = tensorOf(backend, dy, outShape);
      expectClose(readValues(backend, backend.conv2d(xTensor, filterTensor, info)), expectedOut, 1e-4, 1e-4);
      expectClose(readValues(backend, backend.conv2dBackpropInput(dyTensor, filterTensor, info)), expectedDx, 1e-4, 1e-4);
      expectClose(readValues(backend, backend.conv2dBackpropFilter(xTensor, dyTensor, info)), expectedDFilter, 1e-3, 1e-4);
    });
  }
});
