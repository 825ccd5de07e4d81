// Bundles bench/gpu-bench.ts (esbuild, native packages left external) and runs it with the given arguments.
import { spawnSync } from 'node:child_process';
import process from 'node:process';
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const here = dirname(fileURLToPath(import.meta.url));
const outfile = join(here, '..', 'node_modules', '.bench', 'gpu-bench.mjs');
mkdirSync(dirname(outfile), { recursive: true });
await build({
  entryPoints: [join(here, 'gpu-bench.ts')],
  bundle: true, platform: 'node', format: 'esm', target: 'node20', outfile, logLevel: 'warning',
  external: ['webgpu', 'gl', 'gpu.js'],
});
const result = spawnSync(process.execPath, [outfile, ...process.argv.slice(2)], { stdio: 'inherit' });
process.exit(result.status ?? 1);
