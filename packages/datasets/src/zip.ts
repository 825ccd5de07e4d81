import { unzipSync } from 'fflate';
import { DatasetError } from './errors.js';

/**
 * Extracts the wanted members of a zip archive held in memory, matched by file name whatever folder
 * they sit in (`ml-100k/u.data` matches `u.data`); macOS resource forks (`__MACOSX/`, `._*`) are skipped.
 *
 * @example
 * ```ts
 * const members = extractZipMembers(zipBytes, ['u.data', 'u.item']);
 * members.get('u.data'); // Uint8Array
 * ```
 */
export function extractZipMembers(archive: Uint8Array, wantedNames: readonly string[], source = 'zip archive'): Map<string, Uint8Array> {
  const wanted = new Set(wantedNames);
  const chosenPaths = new Map<string, string>();
  let entries: Record<string, Uint8Array>;
  try {
    entries = unzipSync(archive, {
      filter: (file) => {
        const name = baseName(file.name);
        if (!wanted.has(name) || file.name.includes('__MACOSX/') || name.startsWith('._')) return false;
        // Keep the first (shallowest listed) member of each name.
        if (chosenPaths.has(name)) return false;
        chosenPaths.set(name, file.name);
        return true;
      },
    });
  } catch (cause) {
    throw new DatasetError(`corrupt zip archive: ${(cause as Error).message}`, { file: source, cause });
  }
  const members = new Map<string, Uint8Array>();
  for (const [path, bytes] of Object.entries(entries)) members.set(baseName(path), bytes);
  return members;
}

function baseName(path: string): string {
  const slash = path.lastIndexOf('/');
  return slash === -1 ? path : path.slice(slash + 1);
}
