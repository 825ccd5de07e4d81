import { describe, expect, it } from 'vitest';
import { decodeLatin1, decodeTextChunks, splitLines, splitLinesSync } from './text.js';

async function collect<T>(source: AsyncIterable<T>): Promise<T[]> {
  const items: T[] = [];
  for await (const item of source) items.push(item);
  return items;
}

describe('text helpers', () => {
  it('splits lines across chunk boundaries, including a CRLF cut in half', async () => {
    const lines = await collect(splitLines(['ab', 'c\r', '\nde\n', '\nlast']));
    expect(lines).toEqual(['abc', 'de', '', 'last']);
    expect(Array.from(splitLinesSync('x\r\ny\n'))).toEqual(['x', 'y']);
  });

  it('decodes Latin-1 byte for byte (0x80-0x9f included) and UTF-8 split inside a character', async () => {
    expect(decodeLatin1(Uint8Array.of(0x4d, 0x69, 0x73, 0xe9, 0x72, 0x80))).toBe('Mis\u00e9r\u0080');
    const euro = new TextEncoder().encode('€uro');
    const text = await collect(decodeTextChunks([euro.subarray(0, 1), euro.subarray(1, 2), euro.subarray(2)]));
    expect(text.join('')).toBe('€uro');
  });
});
