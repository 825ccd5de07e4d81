// `classifier serve`: the web page (bundled by esbuild into web-dist/), the saved model as one
// safetensors file, and a slice of the training data for in-browser training, over Hono.
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { serve, type ServerType } from '@hono/node-server';
import { Hono } from 'hono';
import { DendriteError } from '@dendrite/core';
import { modelToBytes } from '@dendrite/layers';
import type { ImageDataset } from './data.js';
import type { SavedClassifier } from './saved-model.js';

/** Where the bundled page lives (built by `pnpm --filter @dendrite/image-classifier build`). */
export const WEB_DIST = resolve(dirname(fileURLToPath(import.meta.url)), '../web-dist');

/** Training examples the page may ask for at most (the worker trains on a slice). */
const MAXIMUM_TRAIN_SLICE = 20_000;

const CONTENT_TYPES: Record<string, string> = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.css': 'text/css', '.map': 'application/json' };

/** What {@link createApp} serves. */
export interface ServeOptions {
  classifier?: SavedClassifier;
  dataset?: ImageDataset;
  /** The folder holding index.html, main.js, worker.js (default web-dist/). */
  webDirectory?: string;
}

/** Bytes of a split's first `count` images as unsigned bytes (0–255), and their labels. */
function sliceBytes(dataset: ImageDataset, count: number) {
  const split = dataset.train;
  const kept = Math.min(count, split.count);
  const pixels = split.height * split.width;
  const images = new Uint8Array(kept * pixels);
  for (let index = 0; index < images.length; index++) images[index] = Math.round(split.images[index] * 255);
  return { images, labels: Uint8Array.from(split.labels.subarray(0, kept)) };
}

/**
 * The Hono app: `GET /` the page, `GET /api/model-info` (JSON, 404 without a model), `GET /api/model`
 * (the model as one safetensors file), `GET /api/train-images?count=N` and `/api/train-labels?count=N`
 * (unsigned bytes), `GET /api/health`.
 *
 * @example
 * ```ts
 * const app = await createApp({ classifier: await loadClassifier('runs/cnn'), dataset: await loadImageData() });
 * ```
 */
export async function createApp(options: ServeOptions): Promise<Hono> {
  const webDirectory = options.webDirectory ?? WEB_DIST;
  if (!existsSync(join(webDirectory, 'index.html'))) {
    throw new DendriteError(`${webDirectory} has no index.html: build the page first (pnpm --filter @dendrite/image-classifier build)`);
  }
  const modelBytes = options.classifier ? await modelToBytes(options.classifier.model) : undefined;
  const app = new Hono();
  // Cross-origin isolation lets core's CPU backend use its shared-memory thread pool in the page.
  app.use('*', async (context, next) => {
    await next();
    context.header('Cross-Origin-Opener-Policy', 'same-origin');
    context.header('Cross-Origin-Embedder-Policy', 'require-corp');
  });
  app.get('/api/health', (context) => context.json({ ok: true }));
  app.get('/api/model-info', (context) => options.classifier
    ? context.json(options.classifier.info)
    : context.json({ error: 'no model loaded: start the server with --model DIR, or train one in the page' }, 404));
  app.get('/api/model', (context) => modelBytes
    ? context.body(modelBytes.slice().buffer as ArrayBuffer, 200, { 'content-type': 'application/octet-stream' })
    : context.json({ error: 'no model loaded' }, 404));
  for (const part of ['images', 'labels'] as const) {
    app.get(`/api/train-${part}`, (context) => {
      if (!options.dataset) return context.json({ error: 'no training data loaded' }, 404);
      const count = Number(context.req.query('count') ?? 5000);
      if (!Number.isInteger(count) || count < 1 || count > MAXIMUM_TRAIN_SLICE) {
        return context.json({ error: `count must be an integer from 1 to ${MAXIMUM_TRAIN_SLICE}` }, 400);
      }
      const body = sliceBytes(options.dataset, count)[part];
      return context.body(body.buffer as ArrayBuffer, 200, {
        'content-type': 'application/octet-stream',
        'x-image-height': String(options.dataset.train.height), 'x-image-width': String(options.dataset.train.width),
        'x-class-names': encodeURIComponent(JSON.stringify(options.dataset.classNames)),
      });
    });
  }
  app.get('/*', async (context) => {
    const name = context.req.path === '/' ? 'index.html' : context.req.path.slice(1);
    if (!/^[\w.-]+$/.test(name)) return context.text('not found', 404);
    const path = join(webDirectory, name);
    if (!existsSync(path)) return context.text('not found', 404);
    const extension = name.slice(name.lastIndexOf('.'));
    return context.body((await readFile(path)).buffer as ArrayBuffer, 200, { 'content-type': CONTENT_TYPES[extension] ?? 'application/octet-stream' });
  });
  return app;
}

/**
 * Serves the app on `port` (0: any free one) on 127.0.0.1; resolves with the server and its URL.
 *
 * @example
 * ```ts
 * const { url, server } = await startServer({ classifier, dataset }, 8080);
 * ```
 */
export async function startServer(options: ServeOptions, port: number, hostname = '127.0.0.1'): Promise<{ server: ServerType; url: string }> {
  const app = await createApp(options);
  return new Promise((resolvePromise, reject) => {
    const server = serve({ fetch: app.fetch, port, hostname }, (info) => resolvePromise({ server, url: `http://${hostname}:${info.port}/` }));
    server.once('error', (error: NodeJS.ErrnoException) => reject(error.code === 'EADDRINUSE'
      ? new DendriteError(`port ${port} is in use; pick another with --port`) : error));
  });
}
