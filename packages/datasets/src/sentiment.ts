import { DatasetError } from './errors.js';
import { GrowableArray } from './growable-array.js';
import type { LineSource } from './movielens-parsers.js';

/** Labelled sentences: `labels[i]` is 1 (positive) or 0 (negative) for `texts[i]`. */
export interface SentimentData {
  texts: string[];
  labels: Int32Array;
  /** Which file each sentence came from (`amazon`, `imdb`, `yelp`). */
  sources: string[];
}

/** The three files of the UCI Sentiment Labelled Sentences set, with the source name each gets. */
export const SENTIMENT_FILES: ReadonlyArray<{ file: string; source: string }> = [
  { file: 'amazon_cells_labelled.txt', source: 'amazon' },
  { file: 'imdb_labelled.txt', source: 'imdb' },
  { file: 'yelp_labelled.txt', source: 'yelp' },
];

/**
 * Parses `sentence<TAB>label` lines (label 0 or 1). Surrounding whitespace of the sentence is trimmed;
 * blank lines are skipped.
 *
 * @example
 * ```ts
 * const { texts, labels } = await parseSentimentLines(splitLinesSync('Great phone.\t1\nAwful.\t0\n'), 'mine.txt');
 * ```
 */
export async function parseSentimentLines(lines: LineSource, source = 'sentences'): Promise<{ texts: string[]; labels: Int32Array }> {
  const texts: string[] = [];
  const labels = new GrowableArray(Int32Array, 1024);
  let lineNumber = 0;
  for await (const line of lines) {
    lineNumber++;
    if (line.trim().length === 0) continue;
    const tab = line.lastIndexOf('\t');
    if (tab === -1) {
      throw new DatasetError('expected "sentence<TAB>label", found no tab', { file: source, line: lineNumber });
    }
    const labelText = line.slice(tab + 1).trim();
    if (labelText !== '0' && labelText !== '1') {
      throw new DatasetError(`label ${JSON.stringify(labelText)} is out of range (expected 0 or 1)`, { file: source, line: lineNumber, field: 'label' });
    }
    texts.push(line.slice(0, tab).trim());
    labels.push(labelText === '1' ? 1 : 0);
  }
  // An empty file would silently drop its part of the set.
  if (texts.length === 0) throw new DatasetError('the file is empty: no labelled sentences found', { file: source });
  return { texts, labels: labels.toArray() };
}

/** Joins several parsed files into one {@link SentimentData}, recording each sentence's source. */
export function combineSentimentParts(parts: Array<{ source: string; texts: string[]; labels: Int32Array }>): SentimentData {
  const total = parts.reduce((sum, part) => sum + part.texts.length, 0);
  const labels = new Int32Array(total);
  const texts: string[] = [];
  const sources: string[] = [];
  for (const part of parts) {
    labels.set(part.labels, texts.length);
    for (const text of part.texts) {
      texts.push(text);
      sources.push(part.source);
    }
  }
  return { texts, labels, sources };
}
