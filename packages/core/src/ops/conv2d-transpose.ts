import { check } from '../errors.js';
import { formatShape } from '../shape.js';
import type { Tensor } from '../tensor.js';
import { convGeometry, explicitPadding, pair, type Pair, type Padding } from './conv-geometry.js';
import { conv2dBackpropInput } from './conv2d.js';
import { checkTensor } from './check-arguments.js';

/** Options of {@link conv2dTranspose}. */
export interface Conv2DTransposeOptions {
  /** NHWC shape of the output; derived from stride and padding when omitted. */
  outputShape?: readonly number[];
  stride?: Pair;
  padding?: Padding;
  dilation?: Pair;
}

/**
 * Transposed convolution ("deconvolution"): the gradient of conv2d with respect to its input, used
 * for upsampling. `filter` is [kh, kw, outChannels, inChannels] as in TensorFlow.
 *
 * @example
 * ```ts
 * conv2dTranspose(x, filter, { stride: 2, padding: 'same' }); // doubles height and width
 * ```
 */
export function conv2dTranspose(x: Tensor, filter: Tensor, options: Conv2DTransposeOptions = {}): Tensor {
  checkTensor('conv2dTranspose', 'x', x);
  checkTensor('conv2dTranspose', 'filter', filter);
  check(x.rank === 4 && filter.rank === 4, 'conv2dTranspose', () => `expects NHWC input and a rank-4 filter, got ${formatShape(x.shape)} and ${formatShape(filter.shape)}`);
  check(x.shape[3] === filter.shape[3], 'conv2dTranspose', () => `input has ${x.shape[3]} channels but the filter's last dim is ${filter.shape[3]}`);
  const [strideHeight, strideWidth] = pair(options.stride ?? 1);
  const [dilationHeight, dilationWidth] = pair(options.dilation ?? 1);
  const padding = options.padding ?? 'valid';
  const outputShape = options.outputShape ?? defaultOutputShape(x, filter, strideHeight, strideWidth, dilationHeight, dilationWidth, padding);
  const info = convGeometry('conv2dTranspose', outputShape, filter.shape, options.stride ?? 1, padding, options.dilation ?? 1);
  check(info.outHeight === x.shape[1] && info.outWidth === x.shape[2], 'conv2dTranspose', () =>
    `outputShape ${formatShape(outputShape)} does not map back to the input's ${x.shape[1]}x${x.shape[2]} with these strides and padding`);
  return conv2dBackpropInput(x, filter, info);
}

function defaultOutputShape(x: Tensor, filter: Tensor, sh: number, sw: number, dh: number, dw: number, padding: Padding): number[] {
  const [batch, height, width] = x.shape;
  const outChannels = filter.shape[2];
  if (padding === 'same') return [batch, height * sh, width * sw, outChannels];
  const effectiveH = (filter.shape[0] - 1) * dh + 1;
  const effectiveW = (filter.shape[1] - 1) * dw + 1;
  const [top, bottom] = explicitPadding(padding, 0);
  const [left, right] = explicitPadding(padding, 1);
  const padH = top + bottom;
  const padW = left + right;
  return [batch, (height - 1) * sh + effectiveH - padH, (width - 1) * sw + effectiveW - padW, outChannels];
}
