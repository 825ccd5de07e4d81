import { readFile } from 'node:fs/promises';
import { decodeCheckpoint, encodeCheckpoint, type TrainingState } from '../checkpoint-state.js';
import { writeFileAtomically } from './write-atomically.js';

/**
 * Saves a training state as one safetensors file, atomically (a crash or Ctrl-C mid-write leaves the
 * previous file intact).
 *
 * @example
 * ```ts
 * await saveCheckpoint('runs/mlp/last.safetensors', await trainer.captureState());
 * ```
 */
export async function saveCheckpoint(path: string, state: TrainingState): Promise<void> {
  await writeFileAtomically(path, encodeCheckpoint(state));
}

/**
 * Reads a checkpoint written by {@link saveCheckpoint} or `ModelCheckpoint`, for `fit`'s `resumeFrom`.
 *
 * @example
 * ```ts
 * await trainer.fit(data, { epochs: 20, resumeFrom: await loadCheckpoint('runs/mlp/last.safetensors') });
 * ```
 */
export async function loadCheckpoint(path: string): Promise<TrainingState> {
  return decodeCheckpoint(new Uint8Array(await readFile(path)), path);
}
