// summary(): a table a person reads — each layer, its output shape, parameter counts, frozen or not.

import type { Tensor } from '@dendrite/core';
import type { Layer } from './layer.js';

/** One row of a model summary. */
export interface SummaryRow {
  name: string;
  className: string;
  outputShape: string;
  parameters: number;
  trainableParameters: number;
}

function count(tensors: readonly Tensor[]): number {
  return tensors.reduce((total, tensor) => total + tensor.size, 0);
}

function formatOutputShape(layer: Layer<unknown, unknown>): string {
  const shape = layer.buildInputShape;
  if (shape === null) return '(not built)';
  const output = layer.outputShape(shape);
  const format = (dims: readonly number[]) => `[${dims.map((dim) => (dim === -1 ? 'batch' : String(dim))).join(', ')}]`;
  return Array.isArray(output[0]) ? (output as number[][]).map(format).join(', ') : format(output as number[]);
}

/** The rows of a summary: one per direct sub-layer (a model's layers), in order. */
export function summaryRows(model: Layer<unknown, unknown>): SummaryRow[] {
  return model.namedChildren().map(([key, layer]) => ({
    name: layer.name === key ? key : `${key} (${layer.name})`,
    className: layer.constructor.name,
    outputShape: formatOutputShape(layer),
    parameters: count(layer.parameters()),
    trainableParameters: count(layer.parameters({ trainableOnly: true })),
  }));
}

/**
 * A text table of the model's layers: name (type), output shape, parameter count and how many of
 * those train, with totals. Leading `batch` marks the batch dimension.
 *
 * @example
 * ```ts
 * console.log(summary(model));
 * ```
 */
export function summary(model: Layer<unknown, unknown>): string {
  const rows = summaryRows(model);
  const header = ['Layer (type)', 'Output shape', 'Params', 'Trainable'];
  const cells = rows.map((row) => [
    `${row.name} (${row.className})`, row.outputShape, row.parameters.toLocaleString('en-US'),
    row.parameters === 0 ? '-' : row.trainableParameters === row.parameters ? 'yes' : row.trainableParameters === 0 ? 'frozen' : `${row.trainableParameters.toLocaleString('en-US')}`,
  ]);
  const widths = header.map((title, column) => Math.max(title.length, ...cells.map((cell) => cell[column].length)));
  const line = (values: string[]) => values.map((value, column) => (column >= 2 ? value.padStart(widths[column]) : value.padEnd(widths[column]))).join('  ').trimEnd();
  const rule = '─'.repeat(widths.reduce((total, width) => total + width, 0) + 2 * (widths.length - 1));
  const total = count(model.parameters());
  const trainable = count(model.parameters({ trainableOnly: true }));
  return [
    `Model: ${model.name}`, rule, line(header), rule, ...cells.map(line), rule,
    `Total parameters: ${total.toLocaleString('en-US')}`,
    `Trainable: ${trainable.toLocaleString('en-US')}`,
    `Frozen: ${(total - trainable).toLocaleString('en-US')}`,
  ].join('\n');
}
