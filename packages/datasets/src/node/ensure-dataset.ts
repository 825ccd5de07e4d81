import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { DataFileDescriptor, DatasetDescriptor } from '../catalog.js';
import { DatasetError } from '../errors.js';
import { extractZipMembers } from '../zip.js';
import { checkIntegrity, downloadFile, progressStreamOf, sha256Of, type DownloadOptions } from './download.js';
import { cacheDirectoryFor, candidateDirectories, locateDataset, missingFiles, type LocateOptions } from './locate.js';
import type { ProgressStream } from './progress.js';
import { writeFileAtomically } from './write-atomically.js';

/** Options of {@link ensureDataset} and `load`. */
export interface EnsureDatasetOptions extends LocateOptions {
  /** Download when no local copy is found (default true). */
  download?: boolean;
  /**
   * Base URL to download from instead of the official one (a mirror, or a local server in tests):
   * files are fetched from `baseUrl + fileName`, archives from `baseUrl + archiveName`.
   */
  baseUrl?: string;
  /** Progress output: a stream, `true` for stderr (default), `false` for none. */
  progress?: boolean | ProgressStream;
  /** The fetch to use (default the global `fetch`). */
  fetch?: typeof fetch;
}

/**
 * Returns a folder holding the dataset's files: the `directory` option, then `DENDRITE_DATA`, then the
 * per-user cache — downloading into the cache (verified, atomically) when none has it. With downloading
 * off or impossible, the error lists exactly which files to put where.
 *
 * @example
 * ```ts
 * const folder = await ensureDataset(FASHION_MNIST_DESCRIPTOR); // e.g. ~/.cache/dendrite/fashion-mnist
 * ```
 */
export async function ensureDataset(descriptor: DatasetDescriptor, options: EnsureDatasetOptions = {}): Promise<string> {
  const found = await locateDataset(descriptor, options);
  if (found !== undefined) return found;
  if (options.download === false) throw await notFoundError(descriptor, options, 'downloading is turned off (download: false)');
  const target = cacheDirectoryFor(descriptor, options);
  const stream = progressStreamOf(options.progress);
  stream?.write(`Terms of use: ${descriptor.terms}\n`);
  try {
    if (descriptor.download.kind === 'files') await downloadFiles(descriptor, descriptor.download.baseUrls, target, options);
    else await downloadArchive(descriptor, descriptor.download.url, descriptor.download.sha256, target, options);
  } catch (error) {
    if (isNetworkFailure(error)) throw await notFoundError(descriptor, options, (error as Error).message, error);
    throw error;
  }
  const stillMissing = await missingFiles(target, descriptor);
  if (stillMissing.length > 0) {
    throw new DatasetError(`download finished but ${stillMissing.join(', ')} is still missing`, { file: target });
  }
  return target;
}

function downloadOptionsFor(file: DataFileDescriptor, options: EnsureDatasetOptions): DownloadOptions {
  return { sha256: file.sha256, expectedBytes: file.bytes, progress: options.progress, fetch: options.fetch };
}

async function downloadFiles(descriptor: DatasetDescriptor, officialBaseUrls: string[], target: string, options: EnsureDatasetOptions): Promise<void> {
  const baseUrls = options.baseUrl !== undefined ? [options.baseUrl] : officialBaseUrls;
  const missing = new Set(await missingFiles(target, descriptor));
  for (const file of descriptor.files) {
    if (!missing.has(file.name)) continue;
    const failures: DatasetError[] = [];
    for (const baseUrl of baseUrls) {
      try {
        await downloadFile(joinUrl(baseUrl, file.name), join(target, file.name), downloadOptionsFor(file, options));
        break;
      } catch (error) {
        if (!(error instanceof DatasetError)) throw error;
        failures.push(error);
      }
    }
    if (failures.length === baseUrls.length) {
      if (failures.length === 1) throw failures[0];
      const error = new DatasetError(`every mirror failed:\n  ${failures.map((failure) => failure.message).join('\n  ')}`, {
        file: join(target, file.name),
        cause: failures[failures.length - 1],
      });
      throw error;
    }
  }
}

async function downloadArchive(
  descriptor: DatasetDescriptor,
  officialUrl: string,
  archiveSha256: readonly string[] | undefined,
  target: string,
  options: EnsureDatasetOptions,
): Promise<void> {
  const archiveName = decodeURIComponent(officialUrl.slice(officialUrl.lastIndexOf('/') + 1));
  const url = options.baseUrl !== undefined ? joinUrl(options.baseUrl, archiveName) : officialUrl;
  const archivePath = join(target, `.${archiveName}`);
  await downloadFile(url, archivePath, { sha256: archiveSha256, progress: options.progress, fetch: options.fetch, label: archiveName });
  try {
    const members = extractZipMembers(await readFile(archivePath), descriptor.files.map((file) => file.name), archivePath);
    // Check every member before writing any, so a bad archive leaves the cache as it was.
    for (const file of descriptor.files) {
      const bytes = members.get(file.name);
      if (bytes === undefined) {
        if (file.optional) continue;
        throw new DatasetError(`archive from ${url} has no ${file.name}`, { file: archivePath });
      }
      const actual = { digest: await sha256Of(bytes), size: bytes.length };
      checkIntegrity(`${file.name} in ${url}`, join(target, file.name), actual, downloadOptionsFor(file, options));
    }
    for (const file of descriptor.files) {
      const bytes = members.get(file.name);
      if (bytes !== undefined) await writeFileAtomically(join(target, file.name), bytes);
    }
  } finally {
    await rm(archivePath, { force: true });
  }
}

function joinUrl(baseUrl: string, name: string): string {
  return `${baseUrl.endsWith('/') ? baseUrl : `${baseUrl}/`}${encodeURIComponent(name)}`;
}

/** Connection refused, DNS failure, no route: the machine is offline or the host unreachable. */
function isNetworkFailure(error: unknown): boolean {
  return error instanceof DatasetError && /could not download .*: fetch failed/.test(error.message);
}

async function notFoundError(descriptor: DatasetDescriptor, options: LocateOptions, reason: string, cause?: unknown): Promise<DatasetError> {
  const required = descriptor.files.filter((file) => !file.optional).map((file) => file.name);
  const lines = [`dataset "${descriptor.name}" is not available locally and could not be downloaded: ${reason}.`, 'Looked in:'];
  for (const candidate of candidateDirectories(descriptor, options)) {
    const missing = await missingFiles(candidate.path, descriptor);
    lines.push(`  ${candidate.path} (${candidate.origin}): missing ${missing.join(', ')}`);
  }
  const cacheFolder = cacheDirectoryFor(descriptor, options);
  lines.push(
    `To use it offline, put ${required.join(', ')} into ${cacheFolder},`,
    `or into <root>/${descriptor.directory}/ and set DENDRITE_DATA=<root> (or pass { directory: '<root>' }).`,
  );
  const source = descriptor.download;
  lines.push(source.kind === 'files' ? `The files are published at ${source.baseUrls[0]}` : `They are in the archive ${source.url}`);
  return new DatasetError(lines.join('\n'), { cause });
}
