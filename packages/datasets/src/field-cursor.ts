/**
 * Walks the fields of one delimited line (tab, `::`, `|`, `,` without quotes) and parses numbers straight
 * from the line's characters, so that reading millions of rating rows allocates no per-field strings.
 */
export class FieldCursor {
  private line = '';
  private position = 0;
  /** Start of the current field in the line. */
  start = 0;
  /** End (exclusive) of the current field in the line. */
  end = 0;

  constructor(private readonly separator: string) {}

  /** Starts reading a new line. */
  reset(line: string): void {
    this.line = line;
    this.position = 0;
  }

  /** Moves to the next field; false when the line has no more fields. */
  next(): boolean {
    if (this.position > this.line.length) return false;
    this.start = this.position;
    const found = this.line.indexOf(this.separator, this.position);
    this.end = found === -1 ? this.line.length : found;
    this.position = found === -1 ? this.line.length + 1 : found + this.separator.length;
    return true;
  }

  /** True when every field of the line has been read. */
  get done(): boolean {
    return this.position > this.line.length;
  }

  /** The current field as a string. */
  text(): string {
    return this.line.slice(this.start, this.end);
  }

  /** The current field as an integer, or NaN when it is not one. */
  integer(): number {
    return parseIntegerRange(this.line, this.start, this.end);
  }

  /** The current field as a number, or NaN when it is not one. */
  number(): number {
    return parseNumberRange(this.line, this.start, this.end);
  }
}

/** Parses a decimal integer from `text[start, end)`; NaN when the range is empty or holds anything else. */
export function parseIntegerRange(text: string, start: number, end: number): number {
  let position = start;
  let sign = 1;
  const first = text.charCodeAt(position);
  if (first === 45 /* - */ || first === 43 /* + */) {
    if (first === 45) sign = -1;
    position++;
  }
  if (position >= end) return Number.NaN;
  let value = 0;
  for (; position < end; position++) {
    const digit = text.charCodeAt(position) - 48;
    if (digit < 0 || digit > 9) return Number.NaN;
    value = value * 10 + digit;
  }
  return sign * value;
}

const DECIMAL_PATTERN = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const POWERS_OF_TEN = [1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15];

/** Parses a decimal number (`-12.5`, `3`, `1e-3`) from `text[start, end)`; NaN when it is not a number. */
export function parseNumberRange(text: string, start: number, end: number): number {
  let position = start;
  let sign = 1;
  const first = text.charCodeAt(position);
  if (first === 45 || first === 43) {
    if (first === 45) sign = -1;
    position++;
  }
  let mantissa = 0;
  let digits = 0;
  let fractionDigits = 0;
  for (; position < end; position++) {
    const digit = text.charCodeAt(position) - 48;
    if (digit < 0 || digit > 9) break;
    mantissa = mantissa * 10 + digit;
    digits++;
  }
  if (position < end && text.charCodeAt(position) === 46 /* . */) {
    position++;
    for (; position < end; position++) {
      const digit = text.charCodeAt(position) - 48;
      if (digit < 0 || digit > 9) break;
      mantissa = mantissa * 10 + digit;
      digits++;
      fractionDigits++;
    }
  }
  // Both operands are exact doubles here, so the division rounds exactly like Number() would.
  if (position === end && digits > 0 && digits <= 15) return (sign * mantissa) / POWERS_OF_TEN[fractionDigits];
  // Exponents, long mantissas and the rest: let the engine decide, after rejecting hex, "Infinity" and blanks.
  const slice = text.slice(start, end).trim();
  return DECIMAL_PATTERN.test(slice) ? Number(slice) : Number.NaN;
}
