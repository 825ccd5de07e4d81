import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, open, rename, rm } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import { DatasetError } from '../errors.js';
import { ProgressBar, type ProgressStream } from './progress.js';

/** Options of {@link downloadFile}. */
export interface DownloadOptions {
  /** Accepted SHA-256 digests (hex); the file is kept only if it matches one. */
  sha256?: readonly string[];
  /** Expected size in bytes, checked when no digest is given. */
  expectedBytes?: number;
  /** Progress output: a stream, `true` for `process.stderr` (the default), `false` for none. */
  progress?: boolean | ProgressStream;
  /** The fetch to use (default the global `fetch`). */
  fetch?: typeof fetch;
  /** Name shown in the progress bar (default the file name). */
  label?: string;
}

/** A temporary name beside the destination, so the final rename stays on one file system (atomic). */
export function temporaryPathFor(destination: string): string {
  return `${destination}.partial-${process.pid}-${randomBytes(4).toString('hex')}`;
}

/** The stream progress goes to, from the `progress` option. */
export function progressStreamOf(progress: boolean | ProgressStream | undefined): ProgressStream | undefined {
  if (progress === false) return undefined;
  if (progress === undefined || progress === true) return process.stderr;
  return progress;
}

/**
 * Downloads `url` to `destination` atomically: the body streams into a temporary file beside it while its
 * SHA-256 is computed; only a complete file with an accepted digest is renamed into place. On any failure
 * (network error, HTTP error, interrupted body, digest mismatch) the temporary file is removed and a
 * {@link DatasetError} says what happened, so no half-written file is ever left at `destination`.
 *
 * @example
 * ```ts
 * await downloadFile('https://example.org/t10k-labels-idx1-ubyte.gz', '/tmp/t10k-labels-idx1-ubyte.gz', { sha256: ['f7ae…'] });
 * ```
 */
export async function downloadFile(url: string, destination: string, options: DownloadOptions = {}): Promise<void> {
  const fetchFunction = options.fetch ?? globalThis.fetch;
  const label = options.label ?? basename(destination);
  await mkdir(dirname(destination), { recursive: true });
  let response: Response;
  try {
    response = await fetchFunction(url);
  } catch (cause) {
    throw new DatasetError(`could not download ${url}: ${describeFetchError(cause)}`, { file: destination, cause });
  }
  if (!response.ok || response.body === null) {
    throw new DatasetError(`could not download ${url}: HTTP ${response.status} ${response.statusText}`.trim(), { file: destination });
  }
  const declaredLength = Number(response.headers.get('content-length') ?? Number.NaN);
  const totalBytes = Number.isFinite(declaredLength) ? declaredLength : undefined;
  const progress = new ProgressBar(progressStreamOf(options.progress), label, totalBytes);
  const temporaryPath = temporaryPathFor(destination);
  const hash = createHash('sha256');
  let received = 0;
  let completed = false;
  const handle = await open(temporaryPath, 'w');
  try {
    try {
      for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
        hash.update(chunk);
        await handle.write(chunk);
        received += chunk.length;
        progress.advance(chunk.length);
      }
    } catch (cause) {
      throw new DatasetError(`download of ${url} was interrupted after ${received} bytes: ${describeFetchError(cause)}`, { file: destination, cause });
    }
    if (totalBytes !== undefined && received !== totalBytes) {
      throw new DatasetError(`download of ${url} was interrupted: received ${received} of ${totalBytes} bytes`, { file: destination });
    }
    checkIntegrity(url, destination, { digest: hash.digest('hex'), size: received }, options);
    await handle.sync();
    await handle.close();
    await rename(temporaryPath, destination);
    completed = true;
    progress.finish();
  } catch (error) {
    progress.finish((error as Error).message);
    throw error;
  } finally {
    if (!completed) {
      await handle.close().catch(() => undefined);
      await rm(temporaryPath, { force: true });
    }
  }
}

/**
 * Throws unless the digest is one of the accepted SHA-256 digests or, when none is known, the size is the
 * expected one. `subject` names what was checked (a URL, or a member of an archive) in the message.
 */
export function checkIntegrity(
  subject: string,
  destination: string,
  actual: { digest: string; size: number },
  expected: { sha256?: readonly string[]; expectedBytes?: number },
): void {
  if (expected.sha256 !== undefined && expected.sha256.length > 0) {
    if (!expected.sha256.includes(actual.digest)) {
      throw new DatasetError(
        `checksum mismatch for ${subject}: SHA-256 is ${actual.digest}, expected ${expected.sha256.join(' or ')}; nothing was saved`,
        { file: destination },
      );
    }
  } else if (expected.expectedBytes !== undefined && actual.size !== expected.expectedBytes) {
    throw new DatasetError(`size mismatch for ${subject}: ${actual.size} bytes, expected ${expected.expectedBytes}; nothing was saved`, {
      file: destination,
    });
  }
}

/** SHA-256 (hex) of bytes in memory or of a file on disk (streamed). */
export async function sha256Of(input: Uint8Array | string): Promise<string> {
  const hash = createHash('sha256');
  if (typeof input !== 'string') return hash.update(input).digest('hex');
  for await (const chunk of createReadStream(input)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** undici hides the real reason (ECONNREFUSED, ENOTFOUND, socket closed) in `cause`. */
export function describeFetchError(error: unknown): string {
  const message = (error as Error)?.message ?? String(error);
  const cause = (error as { cause?: { code?: string; message?: string } })?.cause;
  if (cause === undefined) return message;
  return `${message} (${cause.code ?? cause.message ?? String(cause)})`;
}
