import { copyFile, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { encode as encodePng } from 'fast-png';
import { gzipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DatasetError } from '../errors.js';
import { loadIdxClassification, loadMnistDirectory } from './loaders.js';
import { readCsvFile, readIdxFile, readImageFile, streamCsvFile } from './read-files.js';
import { sharedDataDirectory, temporaryDirectory } from './test-data.js';

const fashion = join(sharedDataDirectory(), 'fashion-mnist');
let scratch: { path: string; remove: () => Promise<void> };
beforeAll(async () => {
  scratch = await temporaryDirectory();
});
afterAll(() => scratch.remove());

describe('reading the real Fashion-MNIST files', () => {
  it('loads 60,000 + 10,000 images of 28x28 in [0, 1] with labels 0..9, 6,000 / 1,000 per class', async () => {
    const { train, test, classNames } = await loadMnistDirectory(fashion);
    expect(train.shape).toEqual([60000, 28, 28]);
    expect(test.shape).toEqual([10000, 28, 28]);
    expect(train.images.length).toBe(60000 * 784);
    expect(train.labels.length).toBe(60000);
    expect(test.labels.length).toBe(10000);
    expect(classNames[9]).toBe('Ankle boot');
    const trainCounts = new Array(10).fill(0);
    for (const label of train.labels) trainCounts[label]++;
    expect(trainCounts).toEqual(new Array(10).fill(6000));
    const testCounts = new Array(10).fill(0);
    for (const label of test.labels) testCounts[label]++;
    expect(testCounts).toEqual(new Array(10).fill(1000));
    let minimum = Infinity;
    let maximum = -Infinity;
    for (let index = 0; index < test.images.length; index++) {
      minimum = Math.min(minimum, test.images[index]);
      maximum = Math.max(maximum, test.images[index]);
    }
    expect(minimum).toBe(0);
    expect(maximum).toBe(1);
    // The first test image is an ankle boot (label 9), as in the upstream README.
    expect(test.labels[0]).toBe(9);
  });

  it('reads a plain (uncompressed) copy the same as the gzip one', async () => {
    const plainPath = join(scratch.path, 't10k-labels-idx1-ubyte');
    const gz = await readIdxFile(join(fashion, 't10k-labels-idx1-ubyte.gz'));
    const { gunzipSync } = await import('fflate');
    await writeFile(plainPath, gunzipSync(await readFile(join(fashion, 't10k-labels-idx1-ubyte.gz'))));
    const plain = await readIdxFile(plainPath);
    expect(plain.shape).toEqual([10000]);
    expect(plain.data).toEqual(gz.data);
  });
});

describe('corrupted IDX copies', () => {
  it('a truncated gzip file, a corrupt gzip file, a wrong magic number and a missing file each give a DatasetError', async () => {
    const original = await readFile(join(fashion, 't10k-labels-idx1-ubyte.gz'));
    const truncated = join(scratch.path, 'truncated.gz');
    await writeFile(truncated, original.subarray(0, original.length - 100));
    await expect(readIdxFile(truncated)).rejects.toThrow(DatasetError);
    await expect(readIdxFile(truncated)).rejects.toThrow(/truncated\.gz/);

    const corrupt = join(scratch.path, 'corrupt.gz');
    const damaged = Buffer.from(original);
    for (let index = 20; index < 60; index++) damaged[index] ^= 0x5a;
    await writeFile(corrupt, damaged);
    await expect(readIdxFile(corrupt)).rejects.toThrow(/corrupt\.gz: corrupt or truncated gzip data/);

    const wrongMagic = join(scratch.path, 'wrong-magic.gz');
    const idx = Buffer.from((await import('fflate')).gunzipSync(original));
    idx[0] = 0x12;
    await writeFile(wrongMagic, gzipSync(idx));
    await expect(readIdxFile(wrongMagic)).rejects.toThrow(/wrong-magic\.gz: not an IDX file: bad magic number 0x12000801/);

    await expect(readIdxFile(join(scratch.path, 'absent.gz'))).rejects.toThrow(/absent\.gz: file not found/);
  });

  it('loading swapped files or out-of-range labels fails clearly', async () => {
    const images = join(fashion, 't10k-images-idx3-ubyte.gz');
    const labels = join(fashion, 't10k-labels-idx1-ubyte.gz');
    await expect(
      loadIdxClassification({ trainImages: labels, trainLabels: images, testImages: images, testLabels: labels }, { classNames: ['a', 'b'] }),
    ).rejects.toThrow(/is this a label file/);
    await expect(
      loadIdxClassification({ trainImages: images, trainLabels: labels, testImages: images, testLabels: labels }, { classNames: ['a', 'b'] }),
    ).rejects.toThrow(/label \d is out of range 0\.\.1/);
  });
});

describe('CSV and image files', () => {
  it('reads a gzip CSV file into columns and streams rows', async () => {
    const path = join(scratch.path, 'table.csv.gz');
    const lines = ['id,name,value'];
    for (let row = 0; row < 5000; row++) lines.push(`${row},"name, ${row}",${row / 4}`);
    await writeFile(path, gzipSync(new TextEncoder().encode(`${lines.join('\n')}\n`)));
    const table = await readCsvFile(path, { columns: { id: 'int', name: 'string', value: 'number' } });
    expect(table.rowCount).toBe(5000);
    expect(table.columns.name[4999]).toBe('name, 4999');
    expect(table.columns.value[10]).toBe(2.5);
    let total = 0;
    for await (const row of streamCsvFile(path, { columns: { value: 'number' } })) total += row.value;
    expect(total).toBe((4999 * 5000) / 2 / 4);
    const bad = join(scratch.path, 'bad.csv');
    await writeFile(bad, 'id,value\n1,2\n2,x\n');
    await expect(readCsvFile(bad, { columns: { id: 'int', value: 'number' } })).rejects.toThrow(`${bad}, line 3, field "value": expected a number, found "x"`);
  });

  it('reads a PNG file resized to gray 2x2', async () => {
    const path = join(scratch.path, 'white.png');
    await writeFile(path, encodePng({ width: 4, height: 4, channels: 3, depth: 8, data: new Uint8Array(48).fill(255) }));
    const { data, shape } = await readImageFile(path, { width: 2, height: 2, channels: 1 });
    expect(shape).toEqual([2, 2, 1]);
    for (const value of data) expect(value).toBeCloseTo(1, 6);
    await copyFile(join(fashion, 'SHA256SUMS'), join(scratch.path, 'not-an-image.png'));
    await expect(readImageFile(join(scratch.path, 'not-an-image.png'))).rejects.toThrow(/unsupported image format/);
  });
});
