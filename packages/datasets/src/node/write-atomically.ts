import { mkdir, open, rename, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { temporaryPathFor } from './download.js';

/** Writes bytes to a temporary file beside `destination`, flushes it, then renames it into place. */
export async function writeFileAtomically(destination: string, bytes: Uint8Array): Promise<void> {
  await mkdir(dirname(destination), { recursive: true });
  const temporaryPath = temporaryPathFor(destination);
  try {
    const handle = await open(temporaryPath, 'w');
    try {
      await handle.writeFile(bytes);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temporaryPath, destination);
  } catch (error) {
    await rm(temporaryPath, { force: true });
    throw error;
  }
}
