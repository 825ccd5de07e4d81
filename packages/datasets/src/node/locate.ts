import { stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import type { DatasetDescriptor } from '../catalog.js';

/** Where to look for a dataset before downloading it. */
export interface LocateOptions {
  /**
   * A folder to look in first: either the dataset's own folder (holding its files) or a data root laid out
   * like `DENDRITE_DATA` (`fashion-mnist/`, `movielens/ml-100k/`, …).
   */
  directory?: string;
  /** The per-user cache root (default `$XDG_CACHE_HOME/dendrite`, else `~/.cache/dendrite`). */
  cacheDirectory?: string;
  /** Environment to read `DENDRITE_DATA` and `XDG_CACHE_HOME` from (default `process.env`). */
  env?: Record<string, string | undefined>;
}

/** One place a dataset may be, and why it is looked at. */
export interface CandidateDirectory {
  path: string;
  origin: 'directory option' | 'DENDRITE_DATA' | 'cache';
}

/** The per-user cache root: `$XDG_CACHE_HOME/dendrite`, else `~/.cache/dendrite`. */
export function defaultCacheDirectory(env: Record<string, string | undefined> = process.env): string {
  const xdg = env.XDG_CACHE_HOME;
  return xdg !== undefined && xdg.length > 0 ? join(xdg, 'dendrite') : join(homedir(), '.cache', 'dendrite');
}

/** The folder the cache keeps this dataset in. */
export function cacheDirectoryFor(descriptor: DatasetDescriptor, options: LocateOptions = {}): string {
  const root = options.cacheDirectory ?? defaultCacheDirectory(options.env ?? process.env);
  return resolve(root, descriptor.directory);
}

/** The folders searched for a dataset, in order: the `directory` option, `DENDRITE_DATA`, the cache. */
export function candidateDirectories(descriptor: DatasetDescriptor, options: LocateOptions = {}): CandidateDirectory[] {
  const env = options.env ?? process.env;
  const candidates: CandidateDirectory[] = [];
  if (options.directory !== undefined) {
    candidates.push({ path: resolve(options.directory), origin: 'directory option' });
    candidates.push({ path: resolve(options.directory, descriptor.directory), origin: 'directory option' });
  }
  const dataRoot = env.DENDRITE_DATA;
  if (dataRoot !== undefined && dataRoot.length > 0) candidates.push({ path: resolve(dataRoot, descriptor.directory), origin: 'DENDRITE_DATA' });
  candidates.push({ path: cacheDirectoryFor(descriptor, options), origin: 'cache' });
  return candidates;
}

/** Names of the required files of the dataset that the folder lacks. */
export async function missingFiles(directory: string, descriptor: DatasetDescriptor): Promise<string[]> {
  const missing: string[] = [];
  for (const file of descriptor.files) {
    if (file.optional) continue;
    try {
      if (!(await stat(join(directory, file.name))).isFile()) missing.push(file.name);
    } catch {
      missing.push(file.name);
    }
  }
  return missing;
}

/** The first candidate folder that holds every required file, or undefined. */
export async function locateDataset(descriptor: DatasetDescriptor, options: LocateOptions = {}): Promise<string | undefined> {
  for (const candidate of candidateDirectories(descriptor, options)) {
    if ((await missingFiles(candidate.path, descriptor)).length === 0) return candidate.path;
  }
  return undefined;
}
