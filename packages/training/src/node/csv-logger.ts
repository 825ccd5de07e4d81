import { existsSync, readFileSync } from 'node:fs';
import type { Callback, EpochEndEvent, TrainBeginEvent } from '../callbacks/callback.js';
import { writeFileAtomically } from './write-atomically.js';

/**
 * Writes one CSV row per epoch (`epoch`, then each logged quantity). The whole file is rewritten
 * atomically each epoch, so it is always complete; with `append` (for resumed runs) the rows already
 * in the file are kept.
 *
 * @example
 * ```ts
 * await trainer.fit(data, { epochs: 5, callbacks: [new CSVLogger('runs/mlp/log.csv')] });
 * // epoch,loss,accuracy
 * // 1,0.5312,0.8121 …
 * ```
 */
export class CSVLogger implements Callback {
  private rows: Array<Record<string, string>> = [];

  constructor(readonly path: string, private readonly options: { append?: boolean } = {}) {}

  onTrainBegin(_event: TrainBeginEvent): void {
    this.rows = this.options.append && existsSync(this.path) ? parseCsv(readFileSync(this.path, 'utf8')) : [];
  }

  async onEpochEnd({ progress, logs }: EpochEndEvent): Promise<void> {
    const row: Record<string, string> = { epoch: String(progress.epoch + 1) };
    for (const [key, value] of Object.entries(logs)) row[key] = String(value);
    this.rows.push(row);
    const columns = [...new Set(this.rows.flatMap((entry) => Object.keys(entry)))];
    const lines = [columns.join(','), ...this.rows.map((entry) => columns.map((column) => entry[column] ?? '').join(','))];
    await writeFileAtomically(this.path, `${lines.join('\n')}\n`);
  }
}

/** Rows of a CSV this logger wrote (numbers and names only: no quoting needed). */
function parseCsv(text: string): Array<Record<string, string>> {
  const [header, ...lines] = text.split('\n').filter((line) => line.length > 0);
  if (!header) return [];
  const columns = header.split(',');
  return lines.map((line) => {
    const cells = line.split(',');
    return Object.fromEntries(columns.map((column, index) => [column, cells[index] ?? '']).filter(([, value]) => value !== ''));
  });
}
