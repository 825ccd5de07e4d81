import type { Conv2DInfo } from '../backend/backend.js';
import { engine } from '../engine.js';
import { check } from '../errors.js';
import { formatShape } from '../shape.js';
import type { Tensor } from '../tensor.js';
import { convGeometry, type Pair, type Padding } from './conv-geometry.js';
import { checkTensor } from './check-arguments.js';

/** Options of {@link conv2d}. */
export interface Conv2DOptions {
  stride?: Pair;
  padding?: Padding;
  dilation?: Pair;
}

/**
 * 2-D convolution (cross-correlation, as in every DL library) of NHWC `x` with an
 * [filterHeight, filterWidth, inChannels, outChannels] filter.
 *
 * @example
 * ```ts
 * const y = conv2d(images, filters, { stride: 1, padding: 'same' }); // [N, 28, 28, 8]
 * ```
 */
export function conv2d(x: Tensor, filter: Tensor, options: Conv2DOptions = {}): Tensor {
  checkTensor('conv2d', 'x', x);
  checkTensor('conv2d', 'filter', filter);
  check(x.rank === 4 && filter.rank === 4, 'conv2d', () => `expects NHWC input and a rank-4 filter, got ${formatShape(x.shape)} and ${formatShape(filter.shape)}`);
  const info = convGeometry('conv2d', x.shape, filter.shape, options.stride ?? 1, options.padding ?? 'valid', options.dilation ?? 1);
  return conv2dWithInfo(x, filter, info);
}

/** @internal conv2d for resolved geometry; shared with conv2dTranspose's gradient. */
export function conv2dWithInfo(x: Tensor, filter: Tensor, info: Conv2DInfo): Tensor {
  return engine.runOp({
    name: 'conv2d', inputs: [x, filter], shape: [info.batch, info.outHeight, info.outWidth, info.outChannels], dtype: 'float32',
    kernel: (backend, [xInfo, fInfo]) => backend.conv2d(xInfo, fInfo, info),
    backward: (dy, wanted) => [wanted[0] ? conv2dBackpropInput(dy, filter, info) : null, wanted[1] ? conv2dBackpropFilter(x, dy, info) : null],
  });
}

/** @internal Gradient of conv2d with respect to its input; it is itself differentiable. */
export function conv2dBackpropInput(dy: Tensor, filter: Tensor, info: Conv2DInfo): Tensor {
  return engine.runOp({
    name: 'conv2dBackpropInput', inputs: [dy, filter], shape: [info.batch, info.inHeight, info.inWidth, info.inChannels], dtype: 'float32',
    kernel: (backend, [dyInfo, fInfo]) => backend.conv2dBackpropInput(dyInfo, fInfo, info),
    backward: (ddx, wanted) => [wanted[0] ? conv2dWithInfo(ddx, filter, info) : null, wanted[1] ? conv2dBackpropFilter(ddx, dy, info) : null],
  });
}

/** @internal Gradient of conv2d with respect to its filter. */
export function conv2dBackpropFilter(x: Tensor, dy: Tensor, info: Conv2DInfo): Tensor {
  return engine.runOp({
    name: 'conv2dBackpropFilter', inputs: [x, dy], shape: [info.filterHeight, info.filterWidth, info.inChannels, info.outChannels], dtype: 'float32',
    kernel: (backend, [xInfo, dyInfo]) => backend.conv2dBackpropFilter(xInfo, dyInfo, info),
    backward: (ddw, wanted) => [wanted[0] ? conv2dBackpropInput(dy, ddw, info) : null, wanted[1] ? conv2dWithInfo(x, ddw, info) : null],
  });
}
