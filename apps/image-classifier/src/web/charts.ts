// The page's two charts, drawn by Vega-Lite (compiled in the browser, rendered as SVG by Vega).
import { View, parse } from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';

async function render(element: HTMLElement, spec: TopLevelSpec): Promise<void> {
  const view = new View(parse(compile(spec).spec), { renderer: 'svg', container: element, hover: false });
  await view.runAsync();
}

/** A horizontal bar per class: its probability. */
export function drawProbabilities(element: HTMLElement, classNames: readonly string[], probabilities: ArrayLike<number>): Promise<void> {
  const values = classNames.map((label, index) => ({ label, probability: probabilities[index] }));
  return render(element, {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    width: 320, height: { step: 18 }, data: { values },
    mark: { type: 'bar', color: '#3b6fb6' },
    encoding: {
      y: { field: 'label', type: 'nominal', sort: null, title: null },
      x: { field: 'probability', type: 'quantitative', scale: { domain: [0, 1] }, axis: { format: '%' }, title: 'probability' },
    },
  });
}

/** The training loss per logged step, one line per run of the worker. */
export function drawLoss(element: HTMLElement, points: { step: number; loss: number; epoch: number }[]): Promise<void> {
  return render(element, {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    width: 320, height: 160, data: { values: points },
    mark: { type: 'line', point: true },
    encoding: {
      x: { field: 'step', type: 'quantitative', title: 'training step' },
      y: { field: 'loss', type: 'quantitative', title: 'loss (running mean)', scale: { zero: false } },
    },
  });
}
