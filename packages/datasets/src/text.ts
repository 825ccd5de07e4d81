import { iterateChunks, type ChunkSource } from './chunks.js';

/** Text encodings the line readers understand. MovieLens titles are Latin-1 (ISO-8859-1). */
export type TextEncoding = 'utf-8' | 'latin1';

/**
 * Decodes ISO-8859-1 bytes exactly (byte n is code point n). `TextDecoder('latin1')` is not used because
 * the WHATWG spec maps that label to windows-1252, which differs in 0x80–0x9F.
 */
export function decodeLatin1(bytes: Uint8Array): string {
  const pieceSize = 8192;
  let text = '';
  for (let start = 0; start < bytes.length; start += pieceSize) {
    text += String.fromCharCode.apply(null, bytes.subarray(start, start + pieceSize) as unknown as number[]);
  }
  return text;
}

/** Decodes a whole buffer in the given encoding (UTF-8 drops a leading byte-order mark). */
export function decodeText(bytes: Uint8Array, encoding: TextEncoding = 'utf-8'): string {
  return encoding === 'latin1' ? decodeLatin1(bytes) : new TextDecoder('utf-8').decode(bytes);
}

/** Decodes a stream of byte chunks into string chunks, keeping multi-byte UTF-8 sequences split across chunks intact. */
export async function* decodeTextChunks(
  chunks: ChunkSource<Uint8Array>,
  encoding: TextEncoding = 'utf-8',
): AsyncGenerator<string> {
  if (encoding === 'latin1') {
    for await (const chunk of iterateChunks(chunks)) yield decodeLatin1(chunk);
    return;
  }
  const decoder = new TextDecoder('utf-8');
  for await (const chunk of iterateChunks(chunks)) {
    const text = decoder.decode(chunk, { stream: true });
    if (text.length > 0) yield text;
  }
  const rest = decoder.decode();
  if (rest.length > 0) yield rest;
}

/**
 * Splits string chunks into lines (without their `\n` or `\r\n`). A final line without a newline is kept;
 * the empty string after a trailing newline is not.
 */
export async function* splitLines(chunks: ChunkSource<string>): AsyncGenerator<string> {
  let carry = '';
  for await (const chunk of iterateChunks(chunks)) {
    const text = carry.length === 0 ? chunk : carry + chunk;
    let start = 0;
    let newline = text.indexOf('\n', start);
    while (newline !== -1) {
      yield stripCarriageReturn(text, start, newline);
      start = newline + 1;
      newline = text.indexOf('\n', start);
    }
    carry = text.slice(start);
  }
  if (carry.length > 0) yield stripCarriageReturn(carry, 0, carry.length);
}

/** Synchronous {@link splitLines} for text already in memory. */
export function* splitLinesSync(text: string): Generator<string> {
  let start = 0;
  let newline = text.indexOf('\n', start);
  while (newline !== -1) {
    yield stripCarriageReturn(text, start, newline);
    start = newline + 1;
    newline = text.indexOf('\n', start);
  }
  if (start < text.length) yield stripCarriageReturn(text, start, text.length);
}

function stripCarriageReturn(text: string, start: number, end: number): string {
  return end > start && text.charCodeAt(end - 1) === 13 ? text.slice(start, end - 1) : text.slice(start, end);
}
