import { describe, expect, it } from 'vitest';
import { FieldCursor, parseIntegerRange, parseNumberRange } from './field-cursor.js';

describe('FieldCursor', () => {
  it('walks fields with a multi-character separator and parses them in place', () => {
    const cursor = new FieldCursor('::');
    cursor.reset('12::-7::3.5::x');
    expect(cursor.next()).toBe(true);
    expect(cursor.integer()).toBe(12);
    cursor.next();
    expect(cursor.integer()).toBe(-7);
    cursor.next();
    expect(cursor.number()).toBe(3.5);
    cursor.next();
    expect(cursor.text()).toBe('x');
    expect(Number.isNaN(cursor.integer())).toBe(true);
    expect(cursor.done).toBe(true);
    expect(cursor.next()).toBe(false);
  });

  it('parses numbers exactly like Number() and rejects junk', () => {
    for (const text of ['0.1', '3.14159', '-2.5', '1e-3', '12345678901234567', '.5', '7.', '+4']) {
      expect(parseNumberRange(text, 0, text.length)).toBe(Number(text));
    }
    for (const text of ['', 'abc', '0x10', 'Infinity', '1.2.3', '-']) {
      expect(Number.isNaN(parseNumberRange(text, 0, text.length))).toBe(true);
    }
    expect(Number.isNaN(parseIntegerRange('1.5', 0, 3))).toBe(true);
  });
});
