import { DatasetError } from './errors.js';

/**
 * Splits CSV lines into fields (RFC 4180: fields may be quoted, a quoted field may hold the delimiter,
 * newlines, and `""` for a literal quote). Feed it one line at a time; a record whose quoted field spans
 * lines comes out when its last line arrives.
 */
export class CsvRecordReader {
  private pendingFields: string[] | null = null;
  private pendingText = '';
  private readonly delimiterCode: number;

  constructor(
    private readonly delimiter = ',',
    private readonly source = 'CSV',
  ) {
    if (delimiter.length !== 1 || delimiter === '"') {
      throw new DatasetError(`CSV delimiter must be one character other than '"', got ${JSON.stringify(delimiter)}`, { file: source });
    }
    this.delimiterCode = delimiter.charCodeAt(0);
  }

  /** Line number (1-based) where the record most recently returned by {@link pushLine} (or still open) started. */
  recordStartLine = 0;

  /** Reads one line; returns the record's fields, or null while a quoted field is still open. */
  pushLine(line: string, lineNumber: number): string[] | null {
    if (this.pendingFields === null) {
      this.recordStartLine = lineNumber;
      // Fast path: most lines have no quotes at all.
      if (line.indexOf('"') === -1) return line.split(this.delimiter);
      return this.parseFrom(line, lineNumber, [], '', false);
    }
    // Continue a quoted field that began on an earlier line; the newline is part of its value.
    return this.parseFrom(line, lineNumber, this.pendingFields, this.pendingText + '\n', true);
  }

  /** Throws if the input ended inside a quoted field. */
  finish(): void {
    if (this.pendingFields !== null) {
      throw new DatasetError('unterminated quoted field (the file ends before its closing quote)', {
        file: this.source,
        line: this.recordStartLine,
        field: `#${this.pendingFields.length + 1}`,
      });
    }
  }

  private parseFrom(line: string, lineNumber: number, fields: string[], carried: string, insideQuotes: boolean): string[] | null {
    let position = 0;
    let value = carried;
    let quoted = insideQuotes;
    let afterClosingQuote = false;
    while (position <= line.length) {
      if (quoted) {
        const quote = line.indexOf('"', position);
        if (quote === -1) {
          // The quoted field goes on past the end of this line.
          this.pendingFields = fields;
          this.pendingText = value + line.slice(position);
          return null;
        }
        value += line.slice(position, quote);
        if (line.charCodeAt(quote + 1) === 34) {
          value += '"';
          position = quote + 2;
        } else {
          quoted = false;
          afterClosingQuote = true;
          position = quote + 1;
        }
        continue;
      }
      if (position === line.length) {
        fields.push(value);
        break;
      }
      const code = line.charCodeAt(position);
      if (code === this.delimiterCode) {
        fields.push(value);
        value = '';
        afterClosingQuote = false;
        position++;
        continue;
      }
      if (afterClosingQuote) {
        throw new DatasetError(`unexpected character ${JSON.stringify(line[position])} after a closing quote`, {
          file: this.source,
          line: lineNumber,
          field: `#${fields.length + 1}`,
        });
      }
      if (code === 34 && value.length === 0) {
        quoted = true;
        position++;
        continue;
      }
      const nextDelimiter = line.indexOf(this.delimiter, position);
      const end = nextDelimiter === -1 ? line.length : nextDelimiter;
      value += line.slice(position, end);
      position = end;
    }
    this.pendingFields = null;
    this.pendingText = '';
    return fields;
  }
}
