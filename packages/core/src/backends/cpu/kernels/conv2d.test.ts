import { describe, it } from 'vitest';
import { convInfoOf, describeConvGeometry, naiveConv2d, type ConvGeometry } from '../conv-test-helpers.js';
import { createCpuBackend } from '../cpu-backend.js';
import { expectClose, randomFloats, readValues, seededRandom, tensorOf } from '../test-helpers.js';

const GEOMETRIES: ConvGeometry[] = [
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

describe('cpu conv2d', () => {
  const backend = createCpuBackend();
  const random = seededRandom(14);

  for (const geometry of GEOMETRIES) {
    it(`forward and both gradients: ${describeConvGeometry(geometry)}`, () => {
      const info = convInfoOf(geometry);
      const xShape = [info.batch, info.inHeight, info.inWidth, info.inChannels];
      const filterShape = [info.filterHeight, info.filterWidth, info.inChannels, info.outChannels];
      const outShape = [info.batch, info.outHeight, info.outWidth, info.outChannels];
      const x = randomFloats(xShape.reduce((a, b) => a * b), random);
      const filter = randomFloats(filterShape.reduce((a, b) => a * b), random);
      const dy = randomFloats(outShape.reduce((a, b) => a * b), random);

      const { out: expectedOut, dx: expectedDx, dFilter: expectedDFilter } = naiveConv2d(info, x, filter, dy);

      const xTensor = tensorOf(backend, x, xShape);
      const filterTensor = tensorOf(backend, filter, filterShape);
      const dyTensor = tensorOf(backend, dy, outShape);
      expectClose(readValues(backend, backend.conv2d(xTensor, filterTensor, info)), expectedOut, 1e-4, 1e-4);
      expectClose(readValues(backend, backend.conv2dBackpropInput(dyTensor, filterTensor, info)), expectedDx, 1e-4, 1e-4);
      expectClose(readValues(backend, backend.conv2dBackpropFilter(xTensor, dyTensor, info)), expectedDFilter, 1e-3, 1e-4);
    });
  }
});
