// Per-channel symmetric int8 quantization of a weight matrix: each output channel gets its own scale
// max|w| / 127, so one large channel does not crush the resolution of the others.

import { DendriteError, tensor, type Tensor } from '@dendrite/core';
import type { Layer } from '../layer.js';

/** Weights quantized per output channel: `values[channel · depth + i]` in [-127, 127], `scales[channel]`. */
export interface PerChannelInt8 {
  /** Int8 values (held in an Int32Array, as core's int32 tensors), one row of `depth` per output channel. */
  values: Int32Array;
  scales: Float32Array;
}

/**
 * Quantize a kernel stored as `[depth, channels]` row-major (Dense's `[in, out]`, or a conv filter
 * `[kh, kw, in, out]` flattened the same way) to int8 per output channel. `transpose` (Dense) writes
 * the values channel-major `[channels, depth]`, the layout the int8 kernel reads; otherwise they keep
 * the input layout. A channel of zeros gets scale 1 (every value 0).
 *
 * @example
 * ```ts
 * const { values, scales } = quantizePerChannel(await dense.kernel.data() as Float32Array, 784, 128, true);
 * ```
 */
export function quantizePerChannel(weights: Float32Array, depth: number, channels: number, transpose: boolean): PerChannelInt8 {
  if (weights.length !== depth * channels) {
    throw new DendriteError(`quantizePerChannel: ${weights.length} weights do not make [${depth}, ${channels}]`);
  }
  const scales = new Float32Array(channels);
  for (let c = 0; c < channels; c++) {
    let maximum = 0;
    for (let i = 0; i < depth; i++) maximum = Math.max(maximum, Math.abs(weights[i * channels + c]));
    if (!Number.isFinite(maximum)) throw new DendriteError(`quantizePerChannel: output channel ${c} holds a non-finite weight`);
    scales[c] = maximum > 0 ? maximum / 127 : 1;
  }
  const values = new Int32Array(depth * channels);
  for (let i = 0; i < depth; i++) {
    for (let c = 0; c < channels; c++) {
      const q = Math.max(-127, Math.min(127, Math.round(weights[i * channels + c] / scales[c])));
      values[transpose ? c * depth + i : i * channels + c] = q;
    }
  }
  return { values, scales };
}

/** A layer whose state holds int8 values to store compactly (the quantized layers). */
interface HasInt8State {
  int8StateKeys(): string[];
}

/**
 * The dotted state-dict keys of every int8 tensor in `layer` and its sub-layers, which the savers
 * store as safetensors I8 (one byte per value instead of four).
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function int8StateKeys(layer: { namedChildren(): Array<[string, any]> }, prefix = ''): string[] {
  const own = typeof (layer as Partial<HasInt8State>).int8StateKeys === 'function' ? (layer as unknown as HasInt8State).int8StateKeys() : [];
  return [
    ...own.map((key) => prefix + key),
    ...layer.namedChildren().flatMap(([name, child]) => int8StateKeys(child, `${prefix}${name}.`)),
  ];
}

/**
 * Load a float `kernel` (output channels on its last axis) into a built int8 layer: its `kernel`
 * quantized per output channel (channel-major `[channels, depth]` with `transpose`, else the kernel's
 * own shape), its `kernelScale`, and `bias` as it is.
 */
export async function loadQuantizedKernel(layer: Layer, kernel: Tensor, bias: Tensor | null, transpose: boolean): Promise<void> {
  const channels = kernel.shape[kernel.rank - 1];
  const depth = kernel.size / channels;
  const { values, scales } = quantizePerChannel(await kernel.data() as Float32Array, depth, channels, transpose);
  const state: Record<string, Tensor> = { kernel: tensor(values, transpose ? [channels, depth] : kernel.shape, 'int32'), kernelScale: tensor(scales) };
  if (bias) state.bias = bias;
  layer.loadStateDict(state, { strict: true });
  state.kernel.dispose();
  state.kernelScale.dispose();
}
