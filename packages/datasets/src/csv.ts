import type { ChunkSource } from './chunks.js';
import { CsvRecordReader } from './csv-records.js';
import { DatasetError } from './errors.js';
import { parseNumberRange } from './field-cursor.js';
import { GrowableArray } from './growable-array.js';
import { splitLines, splitLinesSync } from './text.js';

/** How a CSV column is typed: `number` → Float64Array, `int` → Int32Array, `string` → string[]. */
export type CsvColumnType = 'number' | 'int' | 'string';

/** Column name → type. Columns of the file that are not listed are skipped. */
export type CsvSchema = Record<string, CsvColumnType>;

/** The array a column of the given type is read into. */
export type CsvColumnArray<T extends CsvColumnType> = T extends 'number' ? Float64Array : T extends 'int' ? Int32Array : string[];

/** A CSV file read into typed columns. */
export interface CsvTable<S extends CsvSchema> {
  columns: { [K in keyof S]: CsvColumnArray<S[K]> };
  /** The header line's column names, in file order. */
  header: string[];
  rowCount: number;
}

/** Options shared by every CSV reader. */
export interface CsvOptions<S extends CsvSchema> {
  /** Column types; when omitted every column is read as a string. */
  columns?: S;
  /** One-character field delimiter (default `,`). */
  delimiter?: string;
  /** Column names for a file without a header line; when given, the first line is data. */
  header?: string[];
  /** What an empty `number` field becomes: an error (default) or NaN. `int` fields may never be empty. */
  missingNumbers?: 'error' | 'nan';
  /** File name for error messages. */
  source?: string;
}

/** One CSV row as an object: numbers for `number`/`int` columns, strings for `string` columns. */
export type CsvRow<S extends CsvSchema> = { [K in keyof S]: S[K] extends 'string' ? string : number };

/** Reads records into typed columns; shared by the in-memory and the streaming readers. */
class CsvTableBuilder<S extends CsvSchema> {
  private readonly reader: CsvRecordReader;
  private readonly source: string;
  private header?: string[];
  private schemaNames: string[] = [];
  private schemaTypes: CsvColumnType[] = [];
  private schemaIndices: number[] = [];
  private builders: Array<GrowableArray<Float64Array> | GrowableArray<Int32Array> | string[]> = [];
  private lineNumber = 0;
  rowCount = 0;

  /** @param collect false for the row reader, which hands rows out one by one and must not grow columns. */
  constructor(
    private readonly options: CsvOptions<S>,
    private readonly collect = true,
  ) {
    this.source = options.source ?? 'CSV';
    this.reader = new CsvRecordReader(options.delimiter ?? ',', this.source);
    if (options.header !== undefined) this.setHeader(options.header.slice());
  }

  /** Reads one line; returns true when it completed a data record. */
  pushLine(line: string): boolean {
    this.lineNumber++;
    // A UTF-8 byte-order mark may survive when the text was decoded by hand. It goes before the
    // record reader sees the line, so a quoted first field ("\uFEFF"id",…) is still read as quoted.
    const text = this.lineNumber === 1 && line.charCodeAt(0) === 0xfeff ? line.slice(1) : line;
    const fields = this.reader.pushLine(text, this.lineNumber);
    if (fields === null) return false;
    if (this.header === undefined) {
      this.setHeader(fields.map((name) => name.trim()));
      return false;
    }
    if (fields.length === 1 && fields[0] === '') return false; // blank lines are skipped
    this.checkFieldCount(fields);
    this.rowCount++;
    this.lastFields = fields;
    if (!this.collect) return true;
    for (let column = 0; column < this.schemaNames.length; column++) {
      const text = fields[this.schemaIndices[column]];
      const type = this.schemaTypes[column];
      const builder = this.builders[column];
      if (type === 'string') (builder as string[]).push(text);
      else (builder as GrowableArray<Float64Array>).push(this.parseValue(text, type, column));
    }
    return true;
  }

  /** The fields of the last completed record. */
  lastFields: string[] = [];

  /** The typed value of schema column `column` from the last record. */
  valueOf(column: number): string | number {
    const text = this.lastFields[this.schemaIndices[column]];
    const type = this.schemaTypes[column];
    return type === 'string' ? text : this.parseValue(text, type, column);
  }

  get columnNames(): string[] {
    return this.schemaNames;
  }

  finish(): CsvTable<S> {
    this.reader.finish();
    if (this.header === undefined) throw new DatasetError('empty CSV: no header line', { file: this.source });
    const columns: Record<string, Float64Array | Int32Array | string[]> = {};
    this.schemaNames.forEach((name, column) => {
      const builder = this.builders[column];
      columns[name] = Array.isArray(builder) ? builder : builder.toArray();
    });
    return { columns: columns as CsvTable<S>['columns'], header: this.header, rowCount: this.rowCount };
  }

  private setHeader(header: string[]): void {
    this.header = header;
    const schema: CsvSchema = this.options.columns ?? Object.fromEntries(header.map((name) => [name, 'string' as const]));
    for (const [name, type] of Object.entries(schema)) {
      const index = header.indexOf(name);
      if (index === -1) {
        throw new DatasetError(`column "${name}" is not in the header (${header.join(', ')})`, { file: this.source, line: 1 });
      }
      // A repeated name would silently read only its first column.
      const repeated = header.indexOf(name, index + 1);
      if (repeated !== -1) {
        throw new DatasetError(`column "${name}" appears twice in the header (fields ${index + 1} and ${repeated + 1}); rename one or pass header names`, { file: this.source, line: 1 });
      }
      if (type !== 'number' && type !== 'int' && type !== 'string') {
        throw new DatasetError(`column "${name}" has unknown type ${JSON.stringify(type)}; use number, int or string`, { file: this.source });
      }
      this.schemaNames.push(name);
      this.schemaTypes.push(type);
      this.schemaIndices.push(index);
      this.builders.push(type === 'string' ? [] : type === 'int' ? new GrowableArray(Int32Array) : new GrowableArray(Float64Array));
    }
  }

  private checkFieldCount(fields: string[]): void {
    if (fields.length !== this.header!.length) {
      throw new DatasetError(`expected ${this.header!.length} fields, found ${fields.length}`, {
        file: this.source,
        line: this.reader.recordStartLine,
      });
    }
  }

  private parseValue(text: string, type: CsvColumnType, column: number): number {
    const location = { file: this.source, line: this.reader.recordStartLine, field: this.schemaNames[column] };
    if (text.trim().length === 0) {
      if (type === 'number' && this.options.missingNumbers === 'nan') return Number.NaN;
      throw new DatasetError(`empty value in ${type} column`, location);
    }
    const value = parseNumberRange(text, 0, text.length);
    if (Number.isNaN(value)) throw new DatasetError(`expected ${type === 'int' ? 'an integer' : 'a number'}, found ${JSON.stringify(text)}`, location);
    if (type === 'int' && (!Number.isInteger(value) || value < -2147483648 || value > 2147483647)) {
      throw new DatasetError(`expected a 32-bit integer, found ${JSON.stringify(text)}`, location);
    }
    return value;
  }
}

/**
 * Parses CSV text held in memory into typed columns.
 *
 * @example
 * ```ts
 * const table = parseCsv('id,name,score\n1,"Smith, J",2.5\n', { columns: { id: 'int', name: 'string', score: 'number' } });
 * table.columns.score; // Float64Array [2.5]
 * ```
 */
export function parseCsv<S extends CsvSchema>(text: string, options: CsvOptions<S> = {}): CsvTable<S> {
  const builder = new CsvTableBuilder(options);
  for (const line of splitLinesSync(text)) builder.pushLine(line);
  return builder.finish();
}

/**
 * Parses CSV from a stream of text chunks, line by line, into typed columns; the text is never held whole.
 *
 * @example
 * ```ts
 * const table = await parseCsvChunks(decodeTextChunks(response.body!), { columns: { userId: 'int', rating: 'number' } });
 * ```
 */
export async function parseCsvChunks<S extends CsvSchema>(
  chunks: ChunkSource<string>,
  options: CsvOptions<S> = {},
): Promise<CsvTable<S>> {
  const builder = new CsvTableBuilder(options);
  for await (const line of splitLines(chunks)) builder.pushLine(line);
  return builder.finish();
}

/**
 * Streams typed CSV rows one at a time (for pipelines over files too large to hold as columns).
 *
 * @example
 * ```ts
 * for await (const row of csvRows(chunks, { columns: { userId: 'int', title: 'string' } })) console.log(row.title);
 * ```
 */
export async function* csvRows<S extends CsvSchema>(
  chunks: ChunkSource<string>,
  options: CsvOptions<S> = {},
): AsyncGenerator<CsvRow<S>> {
  const builder = new CsvTableBuilder(options, false);
  const names = builder.columnNames;
  for await (const line of splitLines(chunks)) {
    if (!builder.pushLine(line)) continue;
    const row: Record<string, string | number> = {};
    for (let column = 0; column < names.length; column++) row[names[column]] = builder.valueOf(column);
    yield row as CsvRow<S>;
  }
  builder.finish();
}
