import { DendriteError } from '@dendrite/core';
import type { History } from './callbacks/history.js';

/** Options of {@link historyChartSpec}. */
export interface HistoryChartOptions {
  /** Quantities to plot (default: every logged one, `val_` series paired with their training series). */
  quantities?: string[];
  /** Title above the panels. */
  title?: string;
  /** Width and height of each panel in pixels (default 320 × 200). */
  width?: number;
  height?: number;
}

/**
 * A Vega-Lite specification of a training curve: one panel per quantity (loss, accuracy, …), value per
 * epoch, training and validation as two coloured lines. Render it with `renderHistorySvg`/`renderHistoryPng`
 * from '@dendrite/training/node', or with vega-embed in a page.
 *
 * @example
 * ```ts
 * const spec = historyChartSpec(history, { title: 'Fashion-MNIST MLP' });
 * ```
 */
export function historyChartSpec(history: Pick<History, 'epochs' | 'values'>, options: HistoryChartOptions = {}): Record<string, unknown> {
  const keys = Object.keys(history.values);
  const quantities = options.quantities ?? [...new Set(keys.map((key) => key.replace(/^val_/, '')))];
  const rows: Array<{ epoch: number; quantity: string; split: string; value: number }> = [];
  for (const quantity of quantities) {
    const series = [[quantity, 'training'], [`val_${quantity}`, 'validation']] as const;
    if (!series.some(([key]) => history.values[key])) throw new DendriteError(`historyChartSpec: no logged quantity "${quantity}" (logged: ${keys.join(', ')})`);
    for (const [key, split] of series) {
      (history.values[key] ?? []).forEach((value, index) => {
        if (Number.isFinite(value)) rows.push({ epoch: history.epochs[index], quantity, split, value });
      });
    }
  }
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    ...(options.title ? { title: options.title } : {}),
    data: { values: rows },
    facet: { column: { field: 'quantity', type: 'nominal', title: null, sort: quantities } },
    spec: {
      width: options.width ?? 320,
      height: options.height ?? 200,
      mark: { type: 'line', point: true },
      encoding: {
        x: { field: 'epoch', type: 'quantitative', title: 'epoch', axis: { tickMinStep: 1 } },
        y: { field: 'value', type: 'quantitative', title: null, scale: { zero: false } },
        color: { field: 'split', type: 'nominal', title: null, scale: { domain: ['training', 'validation'] } },
      },
    },
    resolve: { scale: { y: 'independent' } },
  };
}
