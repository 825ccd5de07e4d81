import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { checkIdxHeader, loadIdxDirectory, readIdxChecked } from './data.js';
import { idxBytes, writeSyntheticSet } from './test-support.js';

describe('MNIST-style IDX folders', () => {
  it('loads plain and gzip sets, taking the class count from the labels', async () => {
    for (const gzip of [false, true]) {
      const directory = mkdtempSync(join(tmpdir(), 'classifier-data-'));
      writeSyntheticSet(directory, { size: 6, train: 30, test: 9, gzip });
      const data = await loadIdxDirectory(directory);
      expect(data.classNames).toEqual(['0', '1', '2']);
      expect([data.train.count, data.train.height, data.train.width]).toEqual([30, 6, 6]);
      expect(data.test.count).toBe(9);
      expect(Array.from(data.train.labels.subarray(0, 4))).toEqual([0, 1, 2, 0]);
      // Class 0 lights the top half: row 0 bright, last row dark.
      expect(data.train.images[0]).toBeGreaterThan(0.7);
      expect(data.train.images[35]).toBeLessThan(0.3);
    }
  });

  it('refuses a header that claims more data than the file holds, before allocating it', () => {
    // A rank-3 header claiming 4,000,000,000 × 1 × 1 bytes, followed by 10 bytes.
    const bytes = idxBytes(new Uint8Array(10), [10, 1, 1]);
    new DataView(bytes.buffer).setUint32(4, 4_000_000_000, false);
    expect(() => checkIdxHeader(bytes, 'huge.idx')).toThrow(/huge\.idx.*\[4000000000, 1, 1\].*holds 10 \(truncated\?\)/);
    expect(() => checkIdxHeader(new Uint8Array([0, 0, 0x08]), 'short.idx')).toThrow(/short\.idx.*not an IDX file/);
    expect(() => checkIdxHeader(new Uint8Array([0, 0, 0x42, 1, 0, 0, 0, 0]), 'type.idx')).toThrow(/unknown element type 0x42/);
  });

  it('names the file of a truncated gzip or IDX file and of a missing one', async () => {
    const directory = mkdtempSync(join(tmpdir(), 'classifier-data-'));
    writeSyntheticSet(directory, { size: 6, train: 30, test: 9, gzip: true });
    const path = join(directory, 'train-images-idx3-ubyte.gz');
    writeFileSync(path, readFileSync(path).subarray(0, 40));
    await expect(readIdxChecked(path)).rejects.toThrow(/train-images-idx3-ubyte\.gz.*corrupt or truncated gzip/);
    const plain = join(directory, 'plain-idx3');
    writeFileSync(plain, idxBytes(new Uint8Array(100), [4, 5, 5]).subarray(0, 60));
    await expect(readIdxChecked(plain)).rejects.toThrow(/plain-idx3.*holds 44 \(truncated\?\)/);
    writeFileSync(join(directory, 'gz-of-short'), gzipSync(idxBytes(new Uint8Array(8), [2, 2, 2]).subarray(0, 20)));
    await expect(readIdxChecked(join(directory, 'gz-of-short'))).rejects.toThrow(/holds 4 \(truncated\?\)/);
    await expect(loadIdxDirectory(join(directory, 'nope'))).rejects.toThrow(/nope.*no such data folder/);
    const empty = mkdtempSync(join(tmpdir(), 'classifier-empty-'));
    await expect(loadIdxDirectory(empty)).rejects.toThrow(/train-images-idx3-ubyte\[\.gz\] is missing/);
  });
});
