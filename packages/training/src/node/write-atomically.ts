import { randomBytes } from 'node:crypto';
import { DendriteError } from '@dendrite/core';
import { mkdir, open, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/**
 * Writes a file so that readers see the old content or the new, never a part: the bytes go to a
 * temporary file beside it, flushed to disk, then renamed over the target (atomic on one file system).
 *
 * @example
 * ```ts
 * await writeFileAtomically('runs/mlp/history.json', JSON.stringify(history.toJSON()));
 * ```
 */
export async function writeFileAtomically(path: string, content: Uint8Array | string): Promise<void> {
  try {
    await mkdir(dirname(path), { recursive: true });
  } catch (error) {
    throw fileError(`cannot create the folder ${dirname(path)} for ${path}`, error);
  }
  const temporary = join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  try {
    // Flushed before the rename: after a crash the name holds the old file or the whole new one, never an empty one.
    const handle = await open(temporary, 'w');
    try {
      await handle.writeFile(content);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temporary, path);
  } catch (error) {
    await rm(temporary, { force: true });
    throw fileError(`cannot write ${path}`, error);
  }
}

/** Node's bare error (EEXIST, EACCES, ENOSPC) as one naming the path, with a hint for the common causes. */
function fileError(what: string, error: unknown): DendriteError {
  const code = (error as NodeJS.ErrnoException).code;
  const hint = code === 'EEXIST' || code === 'ENOTDIR' ? ' (a file is in the way of the folder)' : code === 'EACCES' || code === 'EPERM' ? ' (no permission)' : '';
  return new DendriteError(`${what}${hint}: ${(error as Error).message}`);
}
