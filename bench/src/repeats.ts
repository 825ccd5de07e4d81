// `--repeat N`: the same workloads run N times, each time in a fresh child process, and a summary
// of every run: how many failed, the spread of the measured values, and whether the training rows
// gave the same loss and test accuracy every time (they must: the weights, the batch order and the
// kernels' summation order are all fixed for a fixed thread count).
import type { BenchRecord, ImplementationName, Unit } from './records.js';
import { median } from './statistics.js';
import { formatValue } from './table.js';

/** One run of one implementation: what it measured, and its error when it failed part-way. */
export interface RepeatRun {
  records: BenchRecord[];
  error?: string;
}

/** Every run of one workload on one implementation. */
export interface RepeatSummary {
  name: string;
  impl: ImplementationName;
  unit: Unit;
  /** Runs asked for, and how many of them produced this workload's record. */
  runs: number;
  completed: number;
  /** The measured value of each completed run, in run order. */
  values: number[];
  /** Mean training loss and test accuracy of each completed run (training rows only). */
  losses: number[];
  testAccuracies: number[];
  /** Training rows: whether every completed run gave the very same loss and test accuracy. */
  identicalTraining?: boolean;
}

/**
 * Summarises `runs` of one implementation, per workload, in first-seen order.
 *
 * @example
 * ```ts
 * const [cnn] = summarizeRepeats('dendrite-cpu', runs); // runs of `--only cnn`
 * cnn.completed === runs.length && cnn.identicalTraining; // every run passed, same loss and accuracy
 * ```
 */
export function summarizeRepeats(impl: ImplementationName, runs: readonly RepeatRun[]): RepeatSummary[] {
  const summaries = new Map<string, RepeatSummary>();
  for (const run of runs) {
    for (const record of run.records) {
      let summary = summaries.get(record.name);
      if (summary === undefined) {
        summary = { name: record.name, impl, unit: record.unit, runs: runs.length, completed: 0, values: [], losses: [], testAccuracies: [] };
        summaries.set(record.name, summary);
      }
      summary.completed++;
      summary.values.push(record.value);
      if (record.details?.loss !== undefined) summary.losses.push(record.details.loss);
      if (record.details?.testAccuracy !== undefined) summary.testAccuracies.push(record.details.testAccuracy);
    }
  }
  for (const summary of summaries.values()) {
    if (summary.losses.length === 0) continue;
    const same = (values: number[]) => values.every((value) => Object.is(value, values[0]));
    summary.identicalTraining = same(summary.losses) && same(summary.testAccuracies) &&
      summary.losses.length === summary.completed && summary.testAccuracies.length === summary.completed;
  }
  return [...summaries.values()];
}

/** Whether a repeated run is clean: every run completed every row, and training rows agreed. */
export function repeatsPassed(summaries: readonly RepeatSummary[]): boolean {
  return summaries.every((summary) => summary.completed === summary.runs && summary.identicalTraining !== false);
}

/** A few lines per workload for the terminal. */
export function renderRepeats(summaries: readonly RepeatSummary[], failures: readonly string[]): string {
  const lines: string[] = [];
  for (const summary of summaries) {
    const { values } = summary;
    const spread = values.length === 0 ? 'no run completed'
      : `min ${formatValue(Math.min(...values))}, median ${formatValue(median(values))}, max ${formatValue(Math.max(...values))} ${summary.unit}`;
    lines.push(`${summary.name} (${summary.impl}): ${summary.completed}/${summary.runs} runs completed; ${spread}`);
    if (summary.identicalTraining !== undefined) {
      const distinct = (numbers: number[]) => [...new Set(numbers)].map((value) => String(value)).join(' | ');
      lines.push(summary.identicalTraining
        ? `  identical in every run: mean loss ${summary.losses[0]}, test accuracy ${summary.testAccuracies[0]}`
        : `  DIFFERENT between runs: mean loss ${distinct(summary.losses)}; test accuracy ${distinct(summary.testAccuracies)}`);
    }
  }
  for (const failure of failures) lines.push(`FAILED ${failure}`);
  return lines.join('\n');
}
