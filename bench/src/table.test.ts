import { describe, expect, it } from 'vitest';
import type { BenchRecord, BenchResults } from './records.js';
import { buildComparisonTable, formatRatio, formatValue, renderMarkdown, renderText } from './table.js';

function results(records: BenchRecord[], extra: Partial<BenchResults> = {}): BenchResults {
  return {
    date: '2026-11-27', quick: false, only: null,
    machine: { cpus: 2, cpuModel: 'Test CPU', node: '20.0.0', platform: 'linux-x64' },
    backends: { 'dendrite-cpu': 'ours', 'tfjs-cpu': 'peer one', 'tfjs-wasm': 'peer two' },
    records, skipped: [], errors: {}, ...extra,
  };
}

describe('formatRatio', () => {
  it('divides ours by the peer for rates and the peer by ours for times', () => {
    expect(formatRatio({ name: 'matmul 256', impl: 'dendrite-cpu', value: 30, unit: 'GFLOP/s' },
      { name: 'matmul 256', impl: 'tfjs-cpu', value: 10, unit: 'GFLOP/s' })).toBe('3.00x faster');
    expect(formatRatio({ name: 'mlp epoch', impl: 'dendrite-cpu', value: 2, unit: 's' },
      { name: 'mlp epoch', impl: 'tfjs-wasm', value: 10, unit: 's' })).toBe('5.00x faster');
    expect(formatRatio({ name: 'mlp train step', impl: 'dendrite-cpu', value: 20, unit: 'ms' },
      { name: 'mlp train step', impl: 'tfjs-wasm', value: 10, unit: 'ms' })).toBe('2.00x slower');
  });
});

describe('formatValue', () => {
  it('keeps about three significant digits and groups thousands', () => {
    expect(formatValue(84712.4)).toBe('84,712');
    expect(formatValue(130.4)).toBe('130');
    expect(formatValue(22.94)).toBe('22.9');
    expect(formatValue(0.851)).toBe('0.85');
  });
});

describe('buildComparisonTable', () => {
  const table = buildComparisonTable(results([
    { name: 'mlp epoch', impl: 'tfjs-cpu', value: 60, unit: 's', details: { loss: 0.5, testAccuracy: 0.84, batchesRun: 469, batchesPerEpoch: 469 } },
    { name: 'matmul 256', impl: 'dendrite-cpu', value: 20, unit: 'GFLOP/s' },
    { name: 'matmul 256', impl: 'tfjs-cpu', value: 1, unit: 'GFLOP/s' },
    { name: 'matmul 256', impl: 'tfjs-wasm', value: 40, unit: 'GFLOP/s' },
    { name: 'mlp epoch', impl: 'dendrite-cpu', value: 6, unit: 's', details: { loss: 0.51, testAccuracy: 0.835, extrapolated: true, batchesRun: 50, batchesPerEpoch: 469 } },
  ], {
    skipped: [{ name: 'conv2d fwd+bwd 64x28x28x8', impl: 'tfjs-wasm', reason: 'no Conv2DBackpropFilter kernel' }],
    errors: { 'tfjs-wasm': 'out of memory' },
  }));

  it('lists workloads in the canonical order with a column per implementation and per ratio', () => {
    expect(table.columns).toEqual(['workload', 'unit', 'dendrite-cpu', 'tfjs-cpu', 'tfjs-wasm', 'dendrite-cpu vs tfjs-cpu', 'dendrite-cpu vs tfjs-wasm']);
    expect(table.rows.map((row) => row[0])).toEqual(['matmul 256', 'conv2d fwd+bwd 64x28x28x8', 'mlp epoch']);
    expect(table.rows[0]).toEqual(['matmul 256', 'GFLOP/s', '20.0', '1.00', '40.0', '20.00x faster', '2.00x slower']);
  });

  it('footnotes skipped, failed and extrapolated cells', () => {
    const [, conv, epoch] = table.rows;
    expect(conv.slice(1, 5)).toEqual(['ms', '-', '-', 'n/a [1]']);
    expect(epoch.slice(2, 6)).toEqual(['~6.00 [2]', '60.0', 'failed [3]', '10.00x faster']);
    expect(table.notes).toEqual([
      'tfjs-wasm: no Conv2DBackpropFilter kernel',
      'extrapolated from 50 of 469 batches (quick run)',
      'tfjs-wasm failed: out of memory',
    ]);
  });

  it('reports loss and accuracy of each training run, ours first', () => {
    expect(table.trainingChecks).toEqual([
      'mlp epoch, dendrite-cpu: mean training loss 0.5100, test accuracy 0.8350 (after 50 of 469 batches)',
      'mlp epoch, tfjs-cpu: mean training loss 0.5000, test accuracy 0.8400',
    ]);
  });

  it('warns when other processes used the machine during a run', () => {
    expect(table.header.some((line) => line.startsWith('Warning'))).toBe(false);
    const busy = results([], { machine: { cpus: 2, cpuModel: 'Test CPU', node: '20.0.0', platform: 'linux-x64', othersBusy: { 'dendrite-cpu': 0.05, 'tfjs-cpu': 0.6 } } });
    expect(buildComparisonTable(busy).header.at(-1)).toBe('Warning: other processes were using the machine (60% of the cores during tfjs-cpu), so those numbers may be low');
  });

  it('adds a column and a ratio column for PyTorch and jax-js, in the canonical order', () => {
    const peers = buildComparisonTable(results([
      { name: 'mlp epoch', impl: 'jax-js', value: 4, unit: 's' },
      { name: 'mlp epoch', impl: 'pytorch-cpu', value: 1, unit: 's' },
      { name: 'mlp epoch', impl: 'dendrite-cpu', value: 2, unit: 's' },
    ], { skipped: [{ name: 'cnn epoch', impl: 'pytorch-cpu', reason: 'PyTorch not available' }] }));
    expect(peers.columns).toEqual(['workload', 'unit', 'dendrite-cpu', 'pytorch-cpu', 'jax-js', 'dendrite-cpu vs pytorch-cpu', 'dendrite-cpu vs jax-js']);
    expect(peers.rows[0]).toEqual(['mlp epoch', 's', '2.00', '1.00', '4.00', '2.00x slower', '2.00x faster']);
    expect(peers.rows[1]).toEqual(['cnn epoch', 's', '-', 'n/a [1]', '-', '-', '-']);
    expect(peers.notes).toEqual(['pytorch-cpu: PyTorch not available']);
  });

  it('has no ratio columns without our numbers', () => {
    const peersOnly = buildComparisonTable(results([{ name: 'matmul 256', impl: 'tfjs-cpu', value: 1, unit: 'GFLOP/s' }]));
    expect(peersOnly.columns).toEqual(['workload', 'unit', 'tfjs-cpu']);
  });
});

describe('renderers', () => {
  const table = buildComparisonTable(results([
    { name: 'matmul 512', impl: 'dendrite-cpu', value: 12.5, unit: 'GFLOP/s' },
    { name: 'matmul 512', impl: 'tfjs-wasm', value: 25, unit: 'GFLOP/s' },
  ]));

  it('renders aligned text', () => {
    const lines = renderText(table).split('\n');
    const headerLine = lines.find((line) => line.startsWith('workload'))!;
    const row = lines.find((line) => line.startsWith('matmul 512'))!;
    expect(headerLine).toMatch(/^workload\s+unit\s+dendrite-cpu\s+tfjs-wasm\s+dendrite-cpu vs tfjs-wasm$/);
    // Right-aligned numbers end where their headers end.
    expect(row.indexOf('12.5') + 4).toBe(headerLine.indexOf('dendrite-cpu') + 'dendrite-cpu'.length);
    expect(row.endsWith('2.00x slower')).toBe(true);
  });

  it('renders a markdown table with right-aligned numbers', () => {
    const markdown = renderMarkdown(table);
    expect(markdown).toContain('| workload | unit | dendrite-cpu | tfjs-wasm | dendrite-cpu vs tfjs-wasm |');
    expect(markdown).toContain('| :--- | :--- | ---: | ---: | ---: |');
    expect(markdown).toContain('| matmul 512 | GFLOP/s | 12.5 | 25.0 | 2.00x slower |');
  });
});
