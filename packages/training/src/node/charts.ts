import type { TopLevelSpec } from 'vega-lite';
import type { History } from '../callbacks/history.js';
import { historyChartSpec, type HistoryChartOptions } from '../chart-spec.js';
import { writeFileAtomically } from './write-atomically.js';

/**
 * `import()` of an ESM-only package, on first use (programs that never draw a chart never load vega).
 * The CommonJS build turns a literal `import()` into `require()`, which cannot load vega (ESM with
 * top-level await): there, and only there, it goes through a native `import()` the build does not rewrite.
 */
async function importEsm<T>(specifier: string): Promise<T> {
  try {
    return (await import(specifier)) as T;
  } catch (error) {
    const code = (error as { code?: unknown } | null)?.code;
    if (code !== 'ERR_REQUIRE_ASYNC_MODULE' && code !== 'ERR_REQUIRE_ESM') throw error;
    const nativeImport = new Function('specifier', 'return import(specifier)') as (specifier: string) => Promise<T>;
    return nativeImport(specifier);
  }
}

/**
 * The training curve of a History as SVG: the Vega-Lite spec of `historyChartSpec`, compiled by
 * vega-lite and rendered headless by vega's `View.toSVG()`.
 *
 * @example
 * ```ts
 * const svg = await renderHistorySvg(history, { title: 'Fashion-MNIST MLP' });
 * ```
 */
export async function renderHistorySvg(history: Pick<History, 'epochs' | 'values'>, options: HistoryChartOptions = {}): Promise<string> {
  const [vega, { compile }] = await Promise.all([importEsm<typeof import('vega')>('vega'), importEsm<typeof import('vega-lite')>('vega-lite')]);
  const { spec } = compile(historyChartSpec(history, options) as unknown as TopLevelSpec);
  const view = new vega.View(vega.parse(spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/**
 * The training curve as PNG bytes: the SVG rasterised by resvg (system fonts), at `scale` × size.
 *
 * @example
 * ```ts
 * const png = await renderHistoryPng(history, { scale: 2 });
 * ```
 */
export async function renderHistoryPng(history: Pick<History, 'epochs' | 'values'>, options: HistoryChartOptions & { scale?: number } = {}): Promise<Uint8Array> {
  const svg = await renderHistorySvg(history, options);
  const { Resvg } = await importEsm<typeof import('@resvg/resvg-js')>('@resvg/resvg-js');
  const rendered = new Resvg(svg, { fitTo: { mode: 'zoom', value: options.scale ?? 1 }, font: { loadSystemFonts: true }, background: 'white' }).render();
  return new Uint8Array(rendered.asPng());
}

/**
 * Writes the chart to `path` (atomically), as PNG when it ends in `.png`, else SVG.
 *
 * @example
 * ```ts
 * await saveHistoryChart('runs/mlp/curve.svg', history);
 * ```
 */
export async function saveHistoryChart(path: string, history: Pick<History, 'epochs' | 'values'>, options: HistoryChartOptions & { scale?: number } = {}): Promise<void> {
  const content = path.toLowerCase().endsWith('.png') ? await renderHistoryPng(history, options) : await renderHistorySvg(history, options);
  await writeFileAtomically(path, content);
}
