// Helpers for the tests: synthetic MNIST-style IDX folders and a CLI runner.
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const appRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** An IDX file's bytes: magic (0, 0, 0x08, rank), big-endian dims, unsigned-byte data. */
export function idxBytes(data: Uint8Array, shape: number[]): Uint8Array {
  const bytes = new Uint8Array(4 + 4 * shape.length + data.length);
  const view = new DataView(bytes.buffer);
  bytes[2] = 0x08;
  bytes[3] = shape.length;
  shape.forEach((size, axis) => view.setUint32(4 + 4 * axis, size, false));
  bytes.set(data, 4 + 4 * shape.length);
  return bytes;
}

/** The pattern of class `label` (0: top half lit, 1: left half lit, 2: a lit diagonal band), with noise. */
export function syntheticImage(label: number, size: number, random: () => number): Uint8Array {
  const image = new Uint8Array(size * size);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const lit = label === 0 ? y < size / 2 : label === 1 ? x < size / 2 : Math.abs(x - y) <= 1;
      image[y * size + x] = Math.round((lit ? 200 : 20) + random() * 40);
    }
  }
  return image;
}

/**
 * Writes a three-class set of `size`×`size` images with the standard names (gzip or plain) into `directory`.
 */
export function writeSyntheticSet(directory: string, options: { size?: number; train?: number; test?: number; gzip?: boolean } = {}): void {
  const size = options.size ?? 8;
  let state = 12345;
  const random = () => ((state = (state * 1103515245 + 12345) % 2147483648) / 2147483648);
  mkdirSync(directory, { recursive: true });
  const write = (name: string, count: number) => {
    const images = new Uint8Array(count * size * size);
    const labels = new Uint8Array(count);
    for (let index = 0; index < count; index++) {
      labels[index] = index % 3;
      images.set(syntheticImage(index % 3, size, random), index * size * size);
    }
    const save = (file: string, bytes: Uint8Array) =>
      writeFileSync(join(directory, options.gzip ? `${file}.gz` : file), options.gzip ? gzipSync(bytes) : bytes);
    save(`${name}-images-idx3-ubyte`, idxBytes(images, [count, size, size]));
    save(`${name}-labels-idx1-ubyte`, idxBytes(labels, [count]));
  };
  write('train', options.train ?? 300);
  write('t10k', options.test ?? 60);
}

/** Runs the CLI from the sources (tsx) and returns its exit code and output. */
export function runCli(args: string[], options: { timeoutMs?: number; env?: Record<string, string> } = {}) {
  const result = spawnSync(process.execPath, ['--import', 'tsx', join(appRoot, 'src/cli.ts'), ...args], {
    cwd: appRoot, encoding: 'utf8', timeout: options.timeoutMs ?? 120_000, env: { ...process.env, ...options.env },
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr, signal: result.signal };
}
