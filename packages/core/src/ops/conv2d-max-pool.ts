import { engine } from '../engine.js';
import { check } from '../errors.js';
import type { Tensor } from '../tensor.js';
import { activationGrad } from './activation-grad.js';
import { conv2d, conv2dArguments, conv2dBackpropFilter, conv2dBackpropInput, type Conv2DOptions } from './conv2d.js';
import { gather } from './gather.js';
import { maxPool2d } from './pool2d.js';
import { reshape } from './reshape.js';
import { composite, unbroadcast } from './util.js';

/**
 * A convolution layer and the 2x2 max pool (stride 2) after it, in one op:
 * `maxPool2d(conv2d(x, filter, options), 2)`, options as {@link conv2d}'s (stride, padding, dilation,
 * bias, activation). Where the backend has the fused kernel (the CPU backend's WebAssembly kernels),
 * each 4-pixel tile of the convolution is one pooling window: it is pooled as it is computed, the
 * full-resolution activation is never written or read back, and the gradient stores each pooled
 * gradient at the cell it came from (remembered as an index) instead of zero-filling, scattering
 * and masking with relu's gradient in three passes. Values and gradients are those of the two ops.
 *
 * @example
 * ```ts
 * // conv 5x5 'same' + bias + relu, then a 2x2 max pool: [N, 28, 28, 1] -> [N, 14, 14, 8]
 * const hidden = conv2dMaxPool(images, filters, { padding: 'same', bias, activation: 'relu' });
 * ```
 */
export function conv2dMaxPool(x: Tensor, filter: Tensor, options: Conv2DOptions = {}): Tensor {
  const { info, bias, activation } = conv2dArguments('conv2dMaxPool', x, filter, options);
  check(info.outHeight >= 2 && info.outWidth >= 2, 'conv2dMaxPool', () =>
    `the convolution's output is ${info.outHeight}x${info.outWidth}, smaller than the 2x2 pool`);
  const backend = engine.backend;
  if (!backend.conv2dMaxPool || !backend.maxPoolScatter) {
    return composite('conv2dMaxPool', () => maxPool2d(conv2d(x, filter, options), 2));
  }
  const convolvedShape = [info.batch, info.outHeight, info.outWidth, info.outChannels];
  const pooledShape = [info.batch, Math.floor(info.outHeight / 2), Math.floor(info.outWidth / 2), info.outChannels];
  const inputs = bias ? [x, filter, bias] : [x, filter];
  const [pooled, indices] = engine.runMultiOp({
    name: 'conv2dMaxPool', inputs,
    outputs: [{ shape: pooledShape, dtype: 'float32' }, { shape: pooledShape, dtype: 'int32' }],
    kernel: (kernels, [xInfo, fInfo, bInfo]) => kernels.conv2dMaxPool!(xInfo, fInfo, bInfo ?? null, activation, info),
  });
  engine.recordGrad(pooled, 'conv2dMaxPool', inputs, (dy, wanted) => {
    // The activation's derivative at the pooled cells (the only ones that get a gradient), then the scatter.
    const dz = maxPoolScatter(activationGrad(dy, pooled, activation), indices, convolvedShape);
    const dx = wanted[0] ? conv2dBackpropInput(dz, filter, info) : null;
    const dFilter = wanted[1] ? conv2dBackpropFilter(x, dz, info) : null;
    // Summed over the full-resolution gradient, as conv2d's bias gradient, so both give the same bits.
    return bias ? [dx, dFilter, wanted[2] ? unbroadcast(dz, bias.shape) : null] : [dx, dFilter];
  }, [indices]);
  // Without a recorded gradient nothing reads the indices.
  if (pooled.gradNode === null) indices.dispose();
  return pooled;
}

/**
 * @internal The max pool's gradient from conv2dMaxPool's indices: zeros of `shape` with each dy
 * value at its index. Its own gradient gathers the incoming gradient back at the same indices.
 */
export function maxPoolScatter(dy: Tensor, indices: Tensor, shape: readonly number[]): Tensor {
  return engine.runOp({
    name: 'maxPoolScatter', inputs: [dy, indices], shape, dtype: 'float32',
    kernel: (kernels, [dyInfo, indexInfo]) => kernels.maxPoolScatter!(dyInfo, indexInfo, shape),
    backward: (ddx, wanted) => [
      wanted[0] ? reshape(gather(reshape(ddx, [ddx.size]), reshape(indices, [indices.size])), dy.shape) : null, null,
    ],
  });
}
