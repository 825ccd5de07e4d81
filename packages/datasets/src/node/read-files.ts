import { readFile } from 'node:fs/promises';
import { csvRows, parseCsvChunks, type CsvOptions, type CsvRow, type CsvSchema, type CsvTable } from '../csv.js';
import { IdxStreamParser, type IdxData } from '../idx.js';
import { imageToArray, type ImageArray, type ImageArrayOptions } from '../images.js';
import { decodeTextChunks, type TextEncoding } from '../text.js';
import { fileError, readFileChunks } from './file-chunks.js';

/**
 * Reads an IDX file (plain or gzip), streaming: the header is parsed first, then the data is copied into
 * one preallocated typed array chunk by chunk.
 *
 * @example
 * ```ts
 * const { data, shape } = await readIdxFile('t10k-labels-idx1-ubyte.gz'); // Uint8Array, [10000]
 * ```
 */
export async function readIdxFile(path: string): Promise<IdxData> {
  const parser = new IdxStreamParser(path);
  for await (const chunk of readFileChunks(path)) parser.push(chunk);
  return parser.finish();
}

/**
 * Reads a CSV file (gzip-aware) line by line into typed columns.
 *
 * @example
 * ```ts
 * const table = await readCsvFile('ratings.csv', { columns: { userId: 'int', movieId: 'int', rating: 'number' } });
 * ```
 */
export function readCsvFile<S extends CsvSchema>(
  path: string,
  options: CsvOptions<S> & { encoding?: TextEncoding } = {},
): Promise<CsvTable<S>> {
  return parseCsvChunks(decodeTextChunks(readFileChunks(path), options.encoding), { source: path, ...options });
}

/**
 * Streams typed rows from a CSV file, one object per record, for files too large to hold as columns.
 *
 * @example
 * ```ts
 * for await (const row of streamCsvFile('ratings.csv', { columns: { rating: 'number' } })) total += row.rating;
 * ```
 */
export function streamCsvFile<S extends CsvSchema>(
  path: string,
  options: CsvOptions<S> & { encoding?: TextEncoding } = {},
): AsyncGenerator<CsvRow<S>> {
  return csvRows(decodeTextChunks(readFileChunks(path), options.encoding), { source: path, ...options });
}

/**
 * Reads a PNG or JPEG file into a Float32Array HWC in [0, 1], optionally resized (bilinear) and converted
 * to gray or RGB.
 *
 * @example
 * ```ts
 * const { data, shape } = await readImageFile('digit.png', { width: 28, height: 28, channels: 1 });
 * ```
 */
export async function readImageFile(path: string, options: ImageArrayOptions = {}): Promise<ImageArray> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch (error) {
    throw fileError(error, path);
  }
  return imageToArray(bytes, { source: path, ...options });
}
