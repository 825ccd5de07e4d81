import type { Conv2DInfo, FusedActivation } from '../backend/backend.js';
import { engine } from '../engine.js';
import { check } from '../errors.js';
import { formatShape } from '../shape.js';
import type { Tensor } from '../tensor.js';
import { activationGrad } from './activation-grad.js';
import { add } from './add.js';
import { convGeometry, type Pair, type Padding } from './conv-geometry.js';
import { checkOptions, checkTensor } from './check-arguments.js';
import { relu } from './relu.js';
import { sigmoid } from './sigmoid.js';
import { tanh } from './tanh.js';
import { composite, unbroadcast } from './util.js';

/** Options of {@link conv2d}. */
export interface Conv2DOptions {
  stride?: Pair;
  padding?: Padding;
  dilation?: Pair;
  /** Added to every pixel: one value per output channel ([outChannels]). */
  bias?: Tensor | null;
  /** Applied after the bias, in the same kernel on backends that fuse it. */
  activation?: FusedActivation;
}

const ACTIVATIONS: readonly FusedActivation[] = ['linear', 'relu', 'sigmoid', 'tanh'];

/**
 * 2-D convolution (cross-correlation, as in every DL library) of NHWC `x` with an
 * [filterHeight, filterWidth, inChannels, outChannels] filter, optionally followed by a bias and
 * an activation: activation(conv2d(x, filter) + bias), one fused kernel on backends that have it
 * (the CPU backend stores each output tile with the bias added and the activation applied, instead
 * of two more passes over the output), with the same values as the separate ops.
 *
 * @example
 * ```ts
 * const y = conv2d(images, filters, { stride: 1, padding: 'same' }); // [N, 28, 28, 8]
 * const hidden = conv2d(images, filters, { padding: 'same', bias, activation: 'relu' }); // a conv layer
 * ```
 */
export function conv2d(x: Tensor, filter: Tensor, options: Conv2DOptions = {}): Tensor {
  const { info, bias, activation } = conv2dArguments('conv2d', x, filter, options);
  if (bias === null && activation === 'linear') return conv2dWithInfo(x, filter, info);
  if (!engine.backend.fusedConv2d) return composite('conv2d', () => activate(addBias(conv2dWithInfo(x, filter, info), bias), activation));
  const inputs = bias ? [x, filter, bias] : [x, filter];
  const output: Tensor = engine.runOp({
    name: 'conv2d', inputs, shape: [info.batch, info.outHeight, info.outWidth, info.outChannels], dtype: 'float32',
    kernel: (backend, [xInfo, fInfo, bInfo]) => backend.fusedConv2d!(xInfo, fInfo, bInfo ?? null, activation, info),
    backward: (dy, wanted) => {
      const dz = activationGrad(dy, output, activation);
      const dx = wanted[0] ? conv2dBackpropInput(dz, filter, info) : null;
      const dFilter = wanted[1] ? conv2dBackpropFilter(x, dz, info) : null;
      // The bias gradient as the separate add's backward sums it, so both forms give the same bits.
      return bias ? [dx, dFilter, wanted[2] ? unbroadcast(dz, bias.shape) : null] : [dx, dFilter];
    },
  });
  return output;
}

/** @internal conv2d's arguments checked (errors under `op`'s name) and resolved: geometry, bias, activation. */
export function conv2dArguments(
  op: string, x: Tensor, filter: Tensor, options: Conv2DOptions,
): { info: Conv2DInfo; bias: Tensor | null; activation: FusedActivation } {
  checkTensor(op, 'x', x);
  checkTensor(op, 'filter', filter);
  checkOptions(op, options);
  check(x.rank === 4 && filter.rank === 4, op, () => `expects NHWC input and a rank-4 filter, got ${formatShape(x.shape)} and ${formatShape(filter.shape)}`);
  const info = convGeometry(op, x.shape, filter.shape, options.stride ?? 1, options.padding ?? 'valid', options.dilation ?? 1);
  const bias = options.bias ?? null;
  const activation = options.activation ?? 'linear';
  check(ACTIVATIONS.includes(activation), op, () => `unknown activation '${String(activation)}' (expected one of ${ACTIVATIONS.join(', ')})`);
  if (bias !== null) {
    checkTensor(op, 'bias', bias);
    check(bias.rank === 1 && bias.shape[0] === info.outChannels, op, () =>
      `bias ${formatShape(bias.shape)} does not match the ${info.outChannels} output channels`);
    check(bias.dtype === 'float32', op, () => `bias must be float32, got ${bias.dtype}`);
  }
  return { info, bias, activation };
}

function addBias(z: Tensor, bias: Tensor | null): Tensor {
  return bias ? add(z, bias) : z;
}

function activate(z: Tensor, activation: FusedActivation): Tensor {
  switch (activation) {
    case 'relu': return relu(z);
    case 'sigmoid': return sigmoid(z);
    case 'tanh': return tanh(z);
    default: return z;
  }
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
