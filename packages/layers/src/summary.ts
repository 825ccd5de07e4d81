// summary(): a table a person reads — each layer, its output shape, parameter counts, frozen or not,
// and what it costs: bytes of weights as saved and floating-point operations per example.

import type { Tensor } from '@dendrite/core';
import { Conv1D } from './conv1d.js';
import { Conv2D } from './conv2d.js';
import { CosineDense } from './cosine-dense.js';
import { Dense } from './dense.js';
import type { Layer } from './layer.js';
import { int8StateKeys } from './quantization/per-channel.js';
import { QuantizedConv2D } from './quantization/quantized-conv2d.js';
import { QuantizedDense } from './quantization/quantized-dense.js';

/** One row of a model summary. */
export interface SummaryRow {
  name: string;
  className: string;
  outputShape: string;
  /** Parameters; for a layer without any (a quantized layer), its stored weights, which do not train. */
  parameters: number;
  trainableParameters: number;
  /** Bytes of the layer's weights and buffers as saved in float32 (int8-quantized weights: 1 byte each). */
  bytes: number;
  /**
   * Floating-point operations for one example, a multiply-add counting 2 (integer ones for quantized
   * layers): counted for Dense, Conv1D, Conv2D and their quantized versions; null for other layers
   * (elementwise work, pooling and normalization are small beside them, and recurrent layers vary).
   */
  flops: number | null;
}

function count(tensors: readonly Tensor[]): number {
  return tensors.reduce((total, tensor) => total + tensor.size, 0);
}

/** Bytes of a layer's saved state: 4 per value, 1 per int8 value. */
function stateBytes(layer: Layer<unknown, unknown>): number {
  const int8 = new Set(int8StateKeys(layer));
  return Object.entries(layer.stateDict()).reduce((total, [key, tensor]) => total + tensor.size * (int8.has(key) ? 1 : 4), 0);
}

/** 2 · kernel size · output positions per example for the matmul/convolution layers, null otherwise. */
function layerFlops(layer: Layer<unknown, unknown>, outputShape: number[] | number[][] | null): number | null {
  const counted = layer instanceof Dense || layer instanceof CosineDense || layer instanceof Conv2D || layer instanceof Conv1D || layer instanceof QuantizedDense || layer instanceof QuantizedConv2D;
  if (!counted || outputShape === null) return null;
  const output = outputShape as number[];
  // Each output value of the last (channel) axis costs one multiply-add per kernel entry feeding it.
  const positions = output.slice(1, -1).reduce((product, dim) => product * dim, 1);
  // A fused max pool's output has one position per window of convolution outputs.
  const window = layer instanceof QuantizedConv2D && layer.maxPool !== null ? layer.maxPool[0] * layer.maxPool[1] : 1;
  return 2 * layer.kernel.size * positions * window;
}

function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 ** 2) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / 1024 ** 2).toFixed(2)} MiB`;
}

function formatCount(value: number): string {
  if (value < 1e4) return value.toLocaleString('en-US');
  if (value < 1e6) return `${(value / 1e3).toFixed(1)}K`;
  if (value < 1e9) return `${(value / 1e6).toFixed(2)}M`;
  return `${(value / 1e9).toFixed(2)}G`;
}

function formatOutputShape(output: number[] | number[][] | null): string {
  if (output === null) return '(not built)';
  const format = (dims: readonly number[]) => `[${dims.map((dim) => (dim === -1 ? 'batch' : String(dim))).join(', ')}]`;
  return Array.isArray(output[0]) ? (output as number[][]).map(format).join(', ') : format(output as number[]);
}

/** The rows of a summary: one per direct sub-layer (a model's layers), in order. */
export function summaryRows(model: Layer<unknown, unknown>): SummaryRow[] {
  return model.namedChildren().map(([key, layer]) => {
    // Computed once for both columns: layers without a formula trace forward to get it.
    const outputShape = layer.buildInputShape === null ? null : layer.outputShape(layer.buildInputShape);
    return {
      name: layer.name === key ? key : `${key} (${layer.name})`,
      className: layer.constructor.name,
      outputShape: formatOutputShape(outputShape),
      parameters: count(layer.parameters()) || (int8StateKeys(layer).length > 0 ? count(layer.namedBuffers().map(([, tensor]) => tensor)) : 0),
      trainableParameters: count(layer.parameters({ trainableOnly: true })),
      bytes: stateBytes(layer),
      flops: layerFlops(layer, outputShape),
    };
  });
}

/**
 * A text table of the model's layers: name (type), output shape, parameter count and how many of
 * those train, bytes of weights as saved, and FLOPs per example (see {@link SummaryRow}), with
 * totals. Leading `batch` marks the batch dimension.
 *
 * @example
 * ```ts
 * console.log(summary(model));
 * ```
 */
export function summary(model: Layer<unknown, unknown>): string {
  const rows = summaryRows(model);
  const header = ['Layer (type)', 'Output shape', 'Params', 'Trainable', 'Bytes', 'FLOPs'];
  const cells = rows.map((row) => [
    `${row.name} (${row.className})`, row.outputShape, row.parameters.toLocaleString('en-US'),
    row.parameters === 0 ? '-' : row.trainableParameters === row.parameters ? 'yes' : row.trainableParameters === 0 ? 'frozen' : `${row.trainableParameters.toLocaleString('en-US')}`,
    row.bytes === 0 ? '-' : formatBytes(row.bytes), row.flops === null ? '-' : formatCount(row.flops),
  ]);
  const widths = header.map((title, column) => Math.max(title.length, ...cells.map((cell) => cell[column].length)));
  const line = (values: string[]) => values.map((value, column) => (column >= 2 ? value.padStart(widths[column]) : value.padEnd(widths[column]))).join('  ').trimEnd();
  const rule = '─'.repeat(widths.reduce((total, width) => total + width, 0) + 2 * (widths.length - 1));
  // Rows add the stored weights of quantized layers, which model.parameters() does not hold.
  const total = Math.max(rows.reduce((sum, row) => sum + row.parameters, 0), count(model.parameters()));
  const trainable = count(model.parameters({ trainableOnly: true }));
  const bytes = rows.reduce((sum, row) => sum + row.bytes, 0);
  const flops = rows.reduce((sum, row) => sum + (row.flops ?? 0), 0);
  return [
    `Model: ${model.name}`, rule, line(header), rule, ...cells.map(line), rule,
    `Total parameters: ${total.toLocaleString('en-US')}`,
    `Trainable: ${trainable.toLocaleString('en-US')}`,
    `Frozen: ${(total - trainable).toLocaleString('en-US')}`,
    `Weights: ${formatBytes(bytes)} (${bytes.toLocaleString('en-US')} bytes as saved in float32)`,
    `FLOPs per example: ${flops.toLocaleString('en-US')} (matmul and convolution layers)`,
  ].join('\n');
}
