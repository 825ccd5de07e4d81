import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { DatasetError } from '../errors.js';
import { isGzip } from '../idx.js';
import { decodeTextChunks, splitLines, type TextEncoding } from '../text.js';

const CHUNK_BYTES = 1 << 20;

/** Turns fs and zlib failures into a {@link DatasetError} that names the file. */
export function fileError(error: unknown, path: string): DatasetError {
  if (error instanceof DatasetError) return error;
  const code = (error as NodeJS.ErrnoException)?.code;
  const message = (error as Error)?.message ?? String(error);
  if (code === 'ENOENT') return new DatasetError('file not found', { file: path, cause: error });
  if (code === 'EISDIR') return new DatasetError('expected a file, found a directory', { file: path, cause: error });
  if (code === 'Z_DATA_ERROR' || code === 'Z_BUF_ERROR' || /unexpected end of file|incorrect header check|invalid/i.test(message)) {
    return new DatasetError(`corrupt or truncated gzip data: ${message}`, { file: path, cause: error });
  }
  return new DatasetError(message, { file: path, cause: error });
}

async function startsWithGzipMagic(path: string): Promise<boolean> {
  const handle = await open(path, 'r');
  try {
    const head = new Uint8Array(2);
    const { bytesRead } = await handle.read(head, 0, 2, 0);
    return isGzip(head.subarray(0, bytesRead));
  } finally {
    await handle.close();
  }
}

/**
 * Streams a file's bytes in 1 MiB chunks, gunzipping on the fly (node:zlib) when the file starts with the
 * gzip magic number, whatever its name. Errors name the file.
 *
 * @example
 * ```ts
 * for await (const chunk of readFileChunks('train-images-idx3-ubyte.gz')) parser.push(chunk);
 * ```
 */
export async function* readFileChunks(path: string): AsyncGenerator<Uint8Array> {
  let gzip: boolean;
  try {
    gzip = await startsWithGzipMagic(path);
  } catch (error) {
    throw fileError(error, path);
  }
  const file = createReadStream(path, { highWaterMark: CHUNK_BYTES });
  const source = gzip ? createGunzip({ chunkSize: CHUNK_BYTES }) : file;
  // pipeline() forwards a read error into the gunzip stream, so the loop below sees it.
  const piping = gzip ? pipeline(file, source as NodeJS.ReadWriteStream).catch(() => undefined) : undefined;
  try {
    for await (const chunk of source) yield chunk as Uint8Array;
  } catch (error) {
    throw fileError(error, path);
  } finally {
    file.destroy();
    if (gzip) (source as NodeJS.ReadWriteStream & { destroy(): void }).destroy();
    await piping;
  }
}

/**
 * Streams a text file line by line (gzip-aware), decoded as UTF-8 or Latin-1.
 *
 * @example
 * ```ts
 * for await (const line of readFileLines('movies.dat', 'latin1')) console.log(line);
 * ```
 */
export function readFileLines(path: string, encoding: TextEncoding = 'utf-8'): AsyncGenerator<string> {
  return splitLines(decodeTextChunks(readFileChunks(path), encoding));
}
