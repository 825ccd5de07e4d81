import { fileURLToPath } from 'node:url';
import { DendriteError } from '@dendrite/core';
import { build } from 'esbuild';
import Fastify, { type FastifyInstance } from 'fastify';
import { NotFoundError, RecommenderService } from './service.js';

const idParams = {
  type: 'object',
  properties: { id: { type: 'integer', minimum: 0, maximum: 2147483647 } },
  required: ['id'],
} as const;
const countQuery = {
  type: 'object',
  properties: { k: { type: 'integer', minimum: 1, maximum: 100, default: 10 } },
  additionalProperties: false,
} as const;
const ratingsBody = {
  type: 'object',
  properties: {
    ratings: {
      type: 'array', minItems: 1, maxItems: 500,
      items: {
        type: 'object',
        properties: { item: { type: 'integer', minimum: 0, maximum: 2147483647 }, rating: { type: 'number', minimum: 0.5, maximum: 5 } },
        required: ['item', 'rating'],
        additionalProperties: false,
      },
    },
  },
  required: ['ratings'],
  additionalProperties: false,
} as const;
const searchQuery = {
  type: 'object',
  properties: { search: { type: 'string', minLength: 1, maxLength: 200 }, limit: { type: 'integer', minimum: 1, maximum: 100, default: 20 } },
  required: ['search'],
  additionalProperties: false,
} as const;

/** The web page's script, bundled from src/web/app.ts by esbuild (the same path from src/ and dist/). */
export async function bundlePage(): Promise<string> {
  const entry = fileURLToPath(new URL('../src/web/app.ts', import.meta.url));
  const result = await build({ entryPoints: [entry], bundle: true, write: false, format: 'iife', platform: 'browser', target: 'es2022', minify: true, logLevel: 'silent' });
  return result.outputFiles[0].text;
}

/**
 * The HTTP API and the web page (Fastify, JSON-schema validated):
 * `GET /users/:id/recommendations?k=`, `POST /users/:id/ratings`, `GET /items/:id/similar?k=`,
 * `GET /items?search=&limit=`, `GET /health`, and the page at `/`. Bad input is a 400 with a message,
 * an unknown movie a 404; an unknown user gets the popularity ranking (`"source": "popularity"`).
 */
export async function buildServer(service: RecommenderService, options: { logger?: boolean } = {}): Promise<FastifyInstance> {
  const app = Fastify({ logger: options.logger ?? false, bodyLimit: 256 * 1024 });
  const script = await bundlePage();
  const html = PAGE_HTML;

  app.setErrorHandler((error, _request, reply) => {
    const failure = error as Error & { validation?: unknown; statusCode?: number };
    if (failure.validation) return reply.status(400).send({ error: failure.message });
    if (failure instanceof NotFoundError) return reply.status(404).send({ error: failure.message });
    if (failure instanceof DendriteError) return reply.status(400).send({ error: failure.message });
    if (failure.statusCode !== undefined && failure.statusCode >= 400 && failure.statusCode < 500) return reply.status(failure.statusCode).send({ error: failure.message });
    _request.log.error(error);
    return reply.status(500).send({ error: `internal error: ${failure.message}` });
  });
  app.setNotFoundHandler((request, reply) => reply.status(404).send({ error: `no route ${request.method} ${request.url}` }));

  app.get('/', (_request, reply) => reply.type('text/html; charset=utf-8').send(html));
  app.get('/app.js', (_request, reply) => reply.type('text/javascript; charset=utf-8').send(script));

  app.get('/health', () => ({ status: 'ok', ...service.stored.summary }));

  app.get<{ Params: { id: number }; Querystring: { k: number } }>(
    '/users/:id/recommendations', { schema: { params: idParams, querystring: countQuery } },
    async (request) => service.recommendations(request.params.id, request.query.k),
  );
  app.get<{ Params: { id: number } }>(
    '/users/:id/ratings', { schema: { params: idParams } },
    async (request) => ({ user: request.params.id, ratings: service.ratingsOf(request.params.id) }),
  );
  app.post<{ Params: { id: number }; Body: { ratings: Array<{ item: number; rating: number }> } }>(
    '/users/:id/ratings', { schema: { params: idParams, body: ratingsBody } },
    async (request) => service.rate(request.params.id, request.body.ratings),
  );
  app.get<{ Params: { id: number }; Querystring: { k: number } }>(
    '/items/:id/similar', { schema: { params: idParams, querystring: countQuery } },
    async (request) => service.similar(request.params.id, request.query.k),
  );
  app.get<{ Querystring: { search: string; limit: number } }>(
    '/items', { schema: { querystring: searchQuery } },
    async (request) => ({ items: service.search(request.query.search, request.query.limit) }),
  );
  return app;
}

const PAGE_HTML = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Dendrite movie recommender</title>
<style>
body { font: 15px/1.4 system-ui, sans-serif; margin: 0; background: #f6f6f4; color: #222; }
header { background: #24323f; color: #fff; padding: 12px 24px; }
header h1 { margin: 0; font-size: 20px; } header p { margin: 2px 0 0; font-size: 13px; color: #c8d3dd; }
main { display: grid; grid-template-columns: 1fr 1fr; gap: 24px; padding: 16px 24px; }
section { background: #fff; border-radius: 8px; padding: 12px 16px; box-shadow: 0 1px 3px rgba(0,0,0,.12); }
h2 { font-size: 16px; margin: 4px 0 10px; }
input[type=search] { width: 100%; box-sizing: border-box; font-size: 15px; padding: 6px 8px; }
ul { list-style: none; padding: 0; margin: 0; } li { padding: 6px 0; border-bottom: 1px solid #eee; }
.stars { white-space: nowrap; }
.stars button { border: 1px solid #ccc; background: #fafafa; cursor: pointer; padding: 1px 6px; margin-left: 2px; border-radius: 4px; }
.stars button.on { background: #f2b01e; border-color: #d49400; }
.meta { color: #777; font-size: 12px; } .score { float: right; color: #555; font-variant-numeric: tabular-nums; }
.similar { margin: 4px 0 0 16px; font-size: 13px; color: #444; } .similar li { border: 0; padding: 1px 0; }
button.link { border: 0; background: none; color: #1f6fb2; cursor: pointer; padding: 0; font-size: 12px; }
#status { font-size: 12px; color: #777; }
</style></head>
<body><header><h1>Dendrite movie recommender</h1><p id="model">loading…</p></header>
<main>
<section><h2>Find and rate movies</h2><input id="search" type="search" placeholder="Search titles, e.g. star wars" autocomplete="off">
<ul id="results"></ul><h2 style="margin-top:16px">Your ratings</h2><ul id="rated"><li class="meta">none yet</li></ul></section>
<section><h2>Recommended for you</h2><div id="status"></div><ul id="recommendations"></ul></section>
</main><script src="/app.js"></script></body></html>`;
