// Building the page: esbuild bundles src/web/main.ts and src/web/worker.ts for the browser; the
// static files of web/ are copied beside them.
import { copyFile, mkdir } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type Plugin } from 'esbuild';

const appRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/**
 * Bundles the page into `outputDirectory` (default web-dist/). `sources` maps @dendrite/* specifiers to
 * source files (tests bundle from the sources; the build uses the packages' dist).
 *
 * @example
 * ```ts
 * await bundleWeb({ outputDirectory: 'web-dist' });
 * ```
 */
export async function bundleWeb(options: { outputDirectory?: string; sources?: Readonly<Record<string, string>> } = {}): Promise<string> {
  const outputDirectory = options.outputDirectory ?? join(appRoot, 'web-dist');
  await mkdir(outputDirectory, { recursive: true });
  const plugins: Plugin[] = [];
  if (options.sources) {
    const sources = options.sources;
    plugins.push({
      name: 'dendrite-sources',
      setup(plugin) {
        plugin.onResolve({ filter: /^@dendrite\// }, (args) => (sources[args.path] ? { path: sources[args.path] } : undefined));
      },
    });
  }
  await build({
    entryPoints: { main: join(appRoot, 'src/web/main.ts'), worker: join(appRoot, 'src/web/worker.ts') },
    outdir: outputDirectory, bundle: true, format: 'iife', platform: 'browser', target: 'es2022', minify: true, sourcemap: true,
    logLevel: 'error', plugins,
    // gpu.js and core reach for Node modules behind runtime checks that never pass in a browser.
    external: ['node:*', 'fs', 'path', 'url', 'worker_threads', 'os', 'gl'],
  });
  for (const file of ['index.html', 'style.css']) await copyFile(join(appRoot, 'web', file), join(outputDirectory, file));
  return outputDirectory;
}
