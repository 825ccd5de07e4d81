/** Where in the input a problem was found. Every field is optional: fill in what is known. */
export interface DatasetErrorLocation {
  /** The file (or source name) being read. */
  file?: string;
  /** 1-based line number in that file. */
  line?: number;
  /** The field (column name or position) on that line. */
  field?: string;
  /** The underlying error, when this one wraps another (zlib, fetch, fs). */
  cause?: unknown;
}

/**
 * The one error type that every loader, parser and pipeline in `@dendrite/datasets` throws for bad input.
 * The message already names the file, line and field; the same facts are also kept as fields so that
 * callers can react to them.
 *
 * @example
 * ```ts
 * try { parseCsv('a,b\n1', { columns: { a: 'int', b: 'int' } }); }
 * catch (error) { if (error instanceof DatasetError) console.log(error.line, error.field); }
 * ```
 */
export class DatasetError extends Error {
  readonly file?: string;
  readonly line?: number;
  readonly field?: string;

  constructor(message: string, location: DatasetErrorLocation = {}) {
    super(formatMessage(message, location), location.cause === undefined ? undefined : { cause: location.cause });
    this.name = 'DatasetError';
    this.file = location.file;
    this.line = location.line;
    this.field = location.field;
  }
}

function formatMessage(message: string, location: DatasetErrorLocation): string {
  const parts: string[] = [];
  if (location.file !== undefined) parts.push(location.file);
  if (location.line !== undefined) parts.push(`line ${location.line}`);
  if (location.field !== undefined) parts.push(`field "${location.field}"`);
  return parts.length === 0 ? message : `${parts.join(', ')}: ${message}`;
}
