import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { zipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MOVIELENS_100K_DESCRIPTOR } from '../catalog.js';
import { DatasetError } from '../errors.js';
import { downloadFile, sha256Of } from './download.js';
import { ensureDataset } from './ensure-dataset.js';
import { load } from './load.js';
import { candidateDirectories, defaultCacheDirectory, locateDataset } from './locate.js';
import { sharedDataDirectory, temporaryDirectory } from './test-data.js';

const data = sharedDataDirectory();
const routes = new Map<string, (response: import('node:http').ServerResponse) => void>();
let server: Server;
let baseUrl: string;
let scratch: { path: string; remove: () => Promise<void> };

function serveBytes(path: string, bytes: Uint8Array): void {
  routes.set(path, (response) => {
    response.writeHead(200, { 'content-length': bytes.length, 'content-type': 'application/octet-stream' });
    response.end(bytes);
  });
}

async function ml100kZip(tamper?: (files: Record<string, Uint8Array>) => void): Promise<Uint8Array> {
  const files: Record<string, Uint8Array> = {};
  for (const file of MOVIELENS_100K_DESCRIPTOR.files) files[`ml-100k/${file.name}`] = await readFile(join(data, 'movielens', 'ml-100k', file.name));
  files['__MACOSX/ml-100k/._u.data'] = new Uint8Array(10);
  tamper?.(files);
  return zipSync(files);
}

beforeAll(async () => {
  scratch = await temporaryDirectory();
  server = createServer((request, response) => {
    const handler = routes.get(request.url ?? '');
    if (handler === undefined) {
      response.writeHead(404).end('not found');
      return;
    }
    handler(response);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  serveBytes('/hello.txt', new TextEncoder().encode('hello dendrite\n'));
  routes.set('/interrupted.bin', (response) => {
    response.writeHead(200, { 'content-length': 100000 });
    response.write(new Uint8Array(1000));
    setTimeout(() => response.socket?.destroy(), 20);
  });
  for (const name of ['train-images-idx3-ubyte.gz', 'train-labels-idx1-ubyte.gz', 't10k-images-idx3-ubyte.gz', 't10k-labels-idx1-ubyte.gz']) {
    serveBytes(`/fashion/${name}`, await readFile(join(data, 'fashion-mnist', name)));
  }
  serveBytes('/good/ml-100k.zip', await ml100kZip());
  serveBytes('/tampered/ml-100k.zip', await ml100kZip((files) => {
    files['ml-100k/u.data'] = files['ml-100k/u.data'].slice();
    files['ml-100k/u.data'][5] ^= 1;
  }));
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  await scratch.remove();
});

const HELLO_SHA256 = 'b534b31887bc482614c1f89ef7743d3556e3fadfc3d98d85924de5d9b890f396';

describe('downloadFile', () => {
  it('saves a file whose SHA-256 matches, leaving no temporary files', async () => {
    const folder = join(scratch.path, 'ok');
    expect(await sha256Of(new TextEncoder().encode('hello dendrite\n'))).toBe(HELLO_SHA256);
    await downloadFile(`${baseUrl}hello.txt`, join(folder, 'hello.txt'), { sha256: [HELLO_SHA256], progress: false });
    expect(await readFile(join(folder, 'hello.txt'), 'utf8')).toBe('hello dendrite\n');
    expect(await readdir(folder)).toEqual(['hello.txt']);
  });

  it('on a checksum mismatch throws and writes nothing', async () => {
    const folder = join(scratch.path, 'mismatch');
    const attempt = downloadFile(`${baseUrl}hello.txt`, join(folder, 'hello.txt'), { sha256: ['0'.repeat(64)], progress: false });
    await expect(attempt).rejects.toThrow(DatasetError);
    await expect(attempt).rejects.toThrow(`checksum mismatch for ${baseUrl}hello.txt: SHA-256 is ${HELLO_SHA256}, expected ${'0'.repeat(64)}`);
    expect(await readdir(folder)).toEqual([]);
  });

  it('on an interrupted transfer throws and writes nothing', async () => {
    const folder = join(scratch.path, 'interrupted');
    await expect(downloadFile(`${baseUrl}interrupted.bin`, join(folder, 'file.bin'), { progress: false })).rejects.toThrow(/was interrupted/);
    expect(await readdir(folder)).toEqual([]);
  });

  it('reports HTTP errors', async () => {
    await expect(downloadFile(`${baseUrl}missing.bin`, join(scratch.path, 'http', 'x'), { progress: false })).rejects.toThrow(/HTTP 404/);
  });

  it('draws a bar on a terminal and plain lines elsewhere', async () => {
    const terminal: string[] = [];
    await downloadFile(`${baseUrl}hello.txt`, join(scratch.path, 'tty', 'hello.txt'), {
      progress: { isTTY: true, columns: 80, write: (text: string) => terminal.push(text) },
    });
    expect(terminal.join('')).toMatch(/\rhello\.txt \[#+\] 100% 15 B\/15 B\n$/);
    const log: string[] = [];
    await downloadFile(`${baseUrl}hello.txt`, join(scratch.path, 'log', 'hello.txt'), { progress: { write: (text: string) => log.push(text) } });
    expect(log).toEqual(['Downloading hello.txt (15 B)\n', 'Downloaded hello.txt (15 B)\n']);
  });
});

describe('finding datasets', () => {
  it('looks in the directory option, then DENDRITE_DATA, then the cache', async () => {
    const env = { DENDRITE_DATA: data, XDG_CACHE_HOME: join(scratch.path, 'xdg') };
    const candidates = candidateDirectories(MOVIELENS_100K_DESCRIPTOR, { directory: '/somewhere', env });
    expect(candidates).toEqual([
      { path: '/somewhere', origin: 'directory option' },
      { path: '/somewhere/movielens/ml-100k', origin: 'directory option' },
      { path: join(data, 'movielens', 'ml-100k'), origin: 'DENDRITE_DATA' },
      { path: join(scratch.path, 'xdg', 'dendrite', 'movielens', 'ml-100k'), origin: 'cache' },
    ]);
    expect(defaultCacheDirectory({})).toMatch(/\.cache[/\\]dendrite$/);
    expect(await locateDataset(MOVIELENS_100K_DESCRIPTOR, { env })).toBe(join(data, 'movielens', 'ml-100k'));
    expect(await locateDataset(MOVIELENS_100K_DESCRIPTOR, { directory: join(data, 'movielens', 'ml-100k'), env: {} })).toBe(join(data, 'movielens', 'ml-100k'));
    expect(await locateDataset(MOVIELENS_100K_DESCRIPTOR, { directory: data, env: {} })).toBe(join(data, 'movielens', 'ml-100k'));
    const sentiment = await load('sentiment', { directory: data, env: {}, download: false });
    expect(sentiment.texts).toHaveLength(3000);
  });

  it('without a copy and without downloading, says exactly where to put the files', async () => {
    const cacheDirectory = join(scratch.path, 'empty-cache');
    const attempt = load('movielens-1m', { env: { DENDRITE_DATA: data }, cacheDirectory, download: false });
    await expect(attempt).rejects.toThrow(DatasetError);
    await expect(attempt).rejects.toThrow(`${join(data, 'movielens', 'ml-1m')} (DENDRITE_DATA): missing ratings.dat`);
    await expect(attempt).rejects.toThrow(`put ratings.dat, movies.dat, users.dat into ${join(cacheDirectory, 'movielens', 'ml-1m')}`);
  });

  it('offline (connection refused), the error says where to put the files and the cache stays empty', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const deadUrl = `http://127.0.0.1:${(closed.address() as AddressInfo).port}/`;
    await new Promise((resolve) => closed.close(resolve));
    const cacheDirectory = join(scratch.path, 'offline-cache');
    const attempt = load('fashion-mnist', { env: {}, cacheDirectory, baseUrl: deadUrl, progress: false });
    await expect(attempt).rejects.toThrow(/is not available locally and could not be downloaded: .*fetch failed \(ECONNREFUSED\)/);
    await expect(attempt).rejects.toThrow(`put train-images-idx3-ubyte.gz, train-labels-idx1-ubyte.gz, t10k-images-idx3-ubyte.gz, t10k-labels-idx1-ubyte.gz into ${join(cacheDirectory, 'fashion-mnist')}`);
    expect(await readdir(join(cacheDirectory, 'fashion-mnist'))).toEqual([]);
  });
});

describe('load() downloading into the cache', () => {
  it('downloads Fashion-MNIST file by file, verifies it, then finds it in the cache', async () => {
    const cacheDirectory = join(scratch.path, 'cache-fashion');
    const fashion = await load('fashion-mnist', { env: {}, cacheDirectory, baseUrl: `${baseUrl}fashion/`, progress: false });
    expect(fashion.train.shape).toEqual([60000, 28, 28]);
    expect(fashion.test.labels.length).toBe(10000);
    expect((await readdir(join(cacheDirectory, 'fashion-mnist'))).sort()).toEqual([
      't10k-images-idx3-ubyte.gz', 't10k-labels-idx1-ubyte.gz', 'train-images-idx3-ubyte.gz', 'train-labels-idx1-ubyte.gz',
    ]);
    const again = await load('fashion-mnist', { env: {}, cacheDirectory, download: false });
    expect(again.train.labels).toEqual(fashion.train.labels);
  });

  it('downloads and extracts the MovieLens 100K zip, keeping only verified members', async () => {
    const cacheDirectory = join(scratch.path, 'cache-ml');
    const log: string[] = [];
    const movieLens = await load('movielens-100k', { env: {}, cacheDirectory, baseUrl: `${baseUrl}good/`, progress: { write: (text: string) => log.push(text) } });
    expect(movieLens.ratings.users.length).toBe(100000);
    expect(log[0]).toMatch(/^Terms of use: MovieLens .*no redistribution/);
    const files = await readdir(join(cacheDirectory, 'movielens', 'ml-100k'));
    expect(files).toContain('u.data');
    expect(files).toContain('ub.test');
    expect(files.some((name) => name.includes('partial') || name.endsWith('.zip') || name.startsWith('._'))).toBe(false);
  });

  it('rejects an archive whose member fails its checksum and writes nothing into the cache', async () => {
    const cacheDirectory = join(scratch.path, 'cache-tampered');
    const attempt = ensureDataset(MOVIELENS_100K_DESCRIPTOR, { env: {}, cacheDirectory, baseUrl: `${baseUrl}tampered/`, progress: false });
    await expect(attempt).rejects.toThrow(/checksum mismatch for u\.data in .*ml-100k\.zip: SHA-256 is [0-9a-f]{64}, expected 06416e59/);
    expect(await readdir(join(cacheDirectory, 'movielens', 'ml-100k'))).toEqual([]);
  });

  it('rejects unknown dataset names', async () => {
    const folder = join(scratch.path, 'unknown');
    await expect(load('imagenet' as 'mnist', { env: {}, cacheDirectory: folder, download: false })).rejects.toThrow(/unknown dataset "imagenet"; known: fashion-mnist, mnist/);
  });
});
