// Test helper: the CLI bundled from the TypeScript sources (as the other tests run them), so the CLI
// tests need no build and always run the current code.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { sourceEntries } from '../../../vitest.sources.js';

/** Bundles src/main.ts into a scratch folder; returns the script's path and a cleanup. */
export async function bundleCli(): Promise<{ script: string; remove: () => Promise<void> }> {
  const folder = await mkdtemp(join(tmpdir(), 'dendrite-sentiment-cli-'));
  const script = join(folder, 'main.mjs');
  await build({
    entryPoints: [fileURLToPath(new URL('./main.ts', import.meta.url))], outfile: script, bundle: true, format: 'esm',
    platform: 'node', target: 'node20', logLevel: 'silent', alias: { ...sourceEntries },
    // Chart rendering (unused here; dropped as training has no side effects) has a native binding.
    external: ['@resvg/resvg-js', 'vega', 'vega-lite'],
    // Bundled CommonJS dependencies (commander, cli-progress) call require for Node's modules.
    banner: { js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);" },
  });
  return { script, remove: () => rm(folder, { recursive: true, force: true }) };
}
