// Bundles a benchmark (esbuild, native and tool packages left external) and runs it with the given arguments:
//   node bench/run.mjs [args]            -> bench/gpu-bench.ts in Node (webgpu / headless-gl / webasm / cpu)
//   node bench/run.mjs --browser [args]  -> bench/browser-bench.ts: the same measurements in headless Chromium
import { spawnSync } from 'node:child_process';
import process from 'node:process';
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const here = dirname(fileURLToPath(import.meta.url));
const browser = process.argv.includes('--browser');
const name = browser ? 'browser-bench' : 'gpu-bench';
const outfile = join(here, '..', 'node_modules', '.bench', `${name}.mjs`);
mkdirSync(dirname(outfile), { recursive: true });
await build({
  entryPoints: [join(here, `${name}.ts`)],
  bundle: true, platform: 'node', format: 'esm', target: 'node20', outfile, logLevel: 'warning',
  external: ['webgpu', 'gl', 'gpu.js', 'playwright-core', 'esbuild'],
});
const forwarded = process.argv.slice(2).filter((argument) => argument !== '--browser');
// The bundle lives in node_modules/.bench/; it finds the sources (the browser page) through this variable.
const result = spawnSync(process.execPath, [outfile, ...forwarded], { stdio: 'inherit', env: { ...process.env, DENDRITE_BENCH_DIR: here } });
process.exit(result.status ?? 1);
