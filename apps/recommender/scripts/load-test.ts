// Load test of GET /users/:id/recommendations on loopback only (127.0.0.1), bounded in time and in count.
// Not a CI test: run `pnpm --filter @dendrite/recommender load-test --model DIR [--seconds 10] [--connections 50]`.
// Prints requests/s and latency percentiles and writes artifacts/load-test.json.
import { mkdir, writeFile } from 'node:fs/promises';
import { availableParallelism, loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { ready } from '@dendrite/core';
import { loadModelDirectory } from '../src/model-store.js';
import { buildServer } from '../src/server.js';
import { RecommenderService } from '../src/service.js';

const { values } = parseArgs({ options: { model: { type: 'string' }, seconds: { type: 'string', default: '10' }, connections: { type: 'string', default: '50' }, 'max-requests': { type: 'string', default: '200000' } } });
if (!values.model) {
  process.stderr.write('load-test: --model DIR is required (a directory written by `recommender train`)\n');
  process.exit(2);
}
const seconds = Number(values.seconds), connections = Number(values.connections), maxRequests = Number(values['max-requests']);

await ready();
const stored = await loadModelDirectory(resolve(process.env.INIT_CWD ?? process.cwd(), values.model));
const app = await buildServer(new RecommenderService(stored));
await app.listen({ port: 0, host: '127.0.0.1' });
const { port } = app.server.address() as { port: number };
const users = stored.model.interactions.userIds.rawIds;
let sent = 0;

const result = await new Promise<autocannon.Result>((done, fail) => {
  const instance = autocannon({
    url: `http://127.0.0.1:${port}`, connections, duration: seconds,
    requests: [{
      method: 'GET',
      // Each request asks for a different known user's top 10 (no cache to hit).
      setupRequest: (request) => {
        if (++sent > maxRequests) instance.stop();
        return { ...request, path: `/users/${users[sent % users.length]}/recommendations?k=10` };
      },
    }],
  }, (error, output) => (error ? fail(error) : done(output)));
});
await app.close();
stored.model.dispose();

const summary = {
  route: 'GET /users/:id/recommendations?k=10', model: stored.summary.model, dataset: stored.summary.dataset,
  connections, seconds: result.duration, requests: result.requests.total, requestsPerSecond: result.requests.average,
  latencyMs: { p50: result.latency.p50, p90: result.latency.p90, p99: result.latency.p99, max: result.latency.max },
  errors: result.errors, timeouts: result.timeouts, non2xx: result.non2xx,
  cpus: availableParallelism(), loadAverage: loadavg()[0], at: new Date().toISOString(),
};
const artifacts = join(import.meta.dirname, '..', 'artifacts');
await mkdir(artifacts, { recursive: true });
await writeFile(join(artifacts, 'load-test.json'), `${JSON.stringify(summary, null, 2)}\n`);
process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
