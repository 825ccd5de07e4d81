// Test-only helpers (not exported): where the shared data lives, and scratch folders.
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const packageDirectory = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/**
 * The shared data folder: `$DENDRITE_DATA`, else `shared/data` beside the repository checkout
 * (`<repo>/../shared/data`), resolved from this package so that any clone location works.
 */
export function sharedDataDirectory(): string {
  const directory = process.env.DENDRITE_DATA ?? resolve(packageDirectory, '../../../shared/data');
  if (!existsSync(join(directory, 'fashion-mnist'))) {
    throw new Error(`shared data not found at ${directory}: set DENDRITE_DATA to the folder holding fashion-mnist/, movielens/, sentiment-labelled-sentences/`);
  }
  return directory;
}

/** A fresh empty folder under the system temp dir, and a function that removes it. */
export async function temporaryDirectory(): Promise<{ path: string; remove: () => Promise<void> }> {
  const path = await mkdtemp(join(tmpdir(), 'dendrite-datasets-'));
  return { path, remove: () => rm(path, { recursive: true, force: true }) };
}
