import {
  IMPLEMENTATIONS, OURS, WORKLOAD_NAMES, WORKLOAD_UNITS, higherIsBetter,
  type BenchRecord, type BenchResults, type ImplementationName, type SkippedRow,
} from './records.js';

/** Other processes using more than this share of all cores during a run disturbed it. */
const BUSY_SHARE = 0.1;

/** The comparison table, before it is rendered as text or markdown. */
export interface ComparisonTable {
  /** Lines above the table: date, machine, backends. */
  header: string[];
  columns: string[];
  rows: string[][];
  /** Numbered footnotes the cells refer to as [n]. */
  notes: string[];
  /** Lines below: loss and test accuracy of each training run. */
  trainingChecks: string[];
}

/**
 * How many times faster ours is than a peer, as a phrase: `3.20x faster` or `1.50x slower`.
 * Bigger-is-better units compare ours/peer; time units compare peer/ours.
 */
export function formatRatio(ours: BenchRecord, peer: BenchRecord): string {
  const ratio = higherIsBetter(ours.unit) ? ours.value / peer.value : peer.value / ours.value;
  if (!Number.isFinite(ratio) || ratio <= 0) return '-';
  return ratio >= 1 ? `${ratio.toFixed(2)}x faster` : `${(1 / ratio).toFixed(2)}x slower`;
}

/** A value with precision that suits its size: 84,712 / 130 / 22.9 / 0.85. */
export function formatValue(value: number): string {
  if (value >= 1000) return Math.round(value).toLocaleString('en-US');
  if (value >= 100) return value.toFixed(0);
  if (value >= 10) return value.toFixed(1);
  return value.toFixed(2);
}

/** Build the table: one row per workload, a column per implementation, then ours-vs-peer ratios. */
export function buildComparisonTable(results: BenchResults): ComparisonTable {
  const notes: string[] = [];
  const noteNumber = (text: string): number => {
    const existing = notes.indexOf(text);
    if (existing >= 0) return existing + 1;
    notes.push(text);
    return notes.length;
  };
  const present = new Set<ImplementationName>([
    ...results.records.map((record) => record.impl),
    ...results.skipped.map((row) => row.impl),
  ]);
  const implementations = IMPLEMENTATIONS.filter((impl) => present.has(impl));
  // Ratios need our number: without it there are no ratio columns.
  // Ratios against the other libraries only (dendrite-cpu-relaxed is a build of ours, shown beside it).
  const peers = present.has(OURS) ? implementations.filter((impl) => !impl.startsWith('dendrite-')) : [];
  const names = workloadsInOrder(results.records, results.skipped);

  const rows = names.map((name) => {
    const recordOf = (impl: ImplementationName) => results.records.find((record) => record.name === name && record.impl === impl);
    const skipOf = (impl: ImplementationName) => results.skipped.find((row) => row.name === name && row.impl === impl);
    const unit = results.records.find((record) => record.name === name)?.unit ?? WORKLOAD_UNITS[name as keyof typeof WORKLOAD_UNITS] ?? '';
    const cells = implementations.map((impl) => {
      const record = recordOf(impl);
      if (record) {
        const details = record.details;
        if (!details?.extrapolated) return formatValue(record.value);
        return `~${formatValue(record.value)} [${noteNumber(`extrapolated from ${details.batchesRun} of ${details.batchesPerEpoch} batches (quick run)`)}]`;
      }
      const skipped = skipOf(impl);
      if (skipped) return `n/a [${noteNumber(`${impl}: ${skipped.reason}`)}]`;
      const error = results.errors[impl];
      return error ? `failed [${noteNumber(`${impl} failed: ${error}`)}]` : '-';
    });
    const ours = recordOf(OURS);
    const ratios = peers.map((peer) => {
      const peerRecord = recordOf(peer);
      return ours && peerRecord ? formatRatio(ours, peerRecord) : '-';
    });
    return [name, unit, ...cells, ...ratios];
  });

  const trainingChecks = [...results.records]
    .sort((a, b) => names.indexOf(a.name) - names.indexOf(b.name) || IMPLEMENTATIONS.indexOf(a.impl) - IMPLEMENTATIONS.indexOf(b.impl))
    .filter((record) => record.details?.testAccuracy !== undefined || record.details?.loss !== undefined)
    .map((record) => {
      const details = record.details!;
      const parts = [`${record.name}, ${record.impl}:`];
      if (details.loss !== undefined) parts.push(`mean training loss ${details.loss.toFixed(4)},`);
      if (details.testAccuracy !== undefined) parts.push(`test accuracy ${details.testAccuracy.toFixed(4)}`);
      if (details.batchesRun !== undefined && details.batchesPerEpoch !== undefined && details.batchesRun < details.batchesPerEpoch) {
        parts.push(`(after ${details.batchesRun} of ${details.batchesPerEpoch} batches)`);
      }
      return parts.join(' ');
    });

  const header = [
    `Dendrite benchmarks, ${results.date}${results.quick ? ' (quick smoke run: fewer repetitions, epochs extrapolated)' : ''}${results.only ? `, only /${results.only}/` : ''}`,
    `Machine: ${results.machine.cpuModel}, ${results.machine.cpus} cores, Node ${results.machine.node}, ${results.machine.platform}`,
    ...implementations.map((impl) => `${impl}: ${results.backends[impl] ?? 'did not start'}`),
  ];
  const busy = Object.entries(results.machine.othersBusy ?? {}).filter(([, share]) => share > BUSY_SHARE);
  if (busy.length > 0) {
    const where = busy.map(([impl, share]) => `${Math.round(share * 100)}% of the cores during ${impl}`).join(', ');
    header.push(`Warning: other processes were using the machine (${where}), so those numbers may be low`);
  }
  return {
    header,
    columns: ['workload', 'unit', ...implementations, ...peers.map((peer) => `${OURS} vs ${peer}`)],
    rows,
    notes,
    trainingChecks,
  };
}

function workloadsInOrder(records: readonly BenchRecord[], skipped: readonly SkippedRow[]): string[] {
  const seen = new Set<string>([...records.map((record) => record.name), ...skipped.map((row) => row.name)]);
  const known: readonly string[] = WORKLOAD_NAMES;
  const rank = (name: string) => (known.includes(name) ? known.indexOf(name) : known.length);
  return [...seen].sort((a, b) => rank(a) - rank(b));
}

/** Plain-text rendering for the terminal: padded columns, numbers right-aligned. */
export function renderText(table: ComparisonTable): string {
  const widths = table.columns.map((column, index) => Math.max(column.length, ...table.rows.map((row) => row[index].length)));
  const line = (cells: readonly string[]) =>
    cells.map((cell, index) => (index < 2 ? cell.padEnd(widths[index]) : cell.padStart(widths[index]))).join('  ').trimEnd();
  return [
    ...table.header,
    '',
    line(table.columns),
    widths.map((width) => '-'.repeat(width)).join('  '),
    ...table.rows.map(line),
    ...sectionLines('Notes', table.notes.map((note, index) => `[${index + 1}] ${note}`)),
    ...sectionLines('Training check', table.trainingChecks),
  ].join('\n');
}

/** Markdown rendering for the README: the same table, notes as a list. */
export function renderMarkdown(table: ComparisonTable): string {
  const escape = (cell: string) => cell.replace(/\|/g, '\\|');
  const alignment = table.columns.map((_, index) => (index < 2 ? ':---' : '---:'));
  return [
    ...table.header.map((line) => `${line}  `),
    '',
    `| ${table.columns.map(escape).join(' | ')} |`,
    `| ${alignment.join(' | ')} |`,
    ...table.rows.map((row) => `| ${row.map(escape).join(' | ')} |`),
    ...sectionLines('Notes', table.notes.map((note, index) => `${index + 1}. ${escape(note)}`)),
    ...sectionLines('Training check', table.trainingChecks.map((check) => `- ${check}`)),
    '',
  ].join('\n');
}

function sectionLines(title: string, lines: readonly string[]): string[] {
  return lines.length === 0 ? [] : ['', `${title}:`, ...lines];
}
