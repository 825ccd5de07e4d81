// What `import { tensor } from '@dendrite/core'` costs a browser bundle: esbuild bundles a one-line app
// against the built dist (minified, browser platform, ESM with code splitting, as an app bundler would)
// and reports the bytes loaded at start-up, the bytes split into lazily loaded chunks (fetched only when
// `ready()` loads the WebAssembly kernels), and whether the base64 WebAssembly builds are in the
// start-up part. Run `pnpm --filter @dendrite/core size` (builds first); add --json for machine output.

import { build } from 'esbuild';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const packageRoot = join(dirname(fileURLToPath(import.meta.url)), '..');
if (!existsSync(join(packageRoot, 'dist', 'index.js'))) {
  console.error('bundle-size: dist/index.js is missing; run `pnpm --filter @dendrite/core build` first');
  process.exit(1);
}

/** "\0asm" (the WebAssembly magic number) in base64: present iff a wasm build is inlined. */
const WASM_BASE64_MARKER = 'AGFzbQ';

async function measure(source) {
  const result = await build({
    stdin: { contents: source, resolveDir: packageRoot, loader: 'js' },
    bundle: true, minify: true, platform: 'browser', format: 'esm', splitting: true, target: 'es2022',
    outdir: join(packageRoot, '.bundle-size'), write: false, metafile: true, logLevel: 'silent',
    alias: { '@dendrite/core': packageRoot },
  });
  const files = result.outputFiles.filter((file) => file.path.endsWith('.js'));
  const entryPath = Object.entries(result.metafile.outputs).find(([, output]) => output.entryPoint !== undefined)?.[0];
  const isEntry = (file) => entryPath !== undefined && file.path.endsWith(entryPath.replace(/^.*\.bundle-size\//, ''));
  // Start-up = the entry plus the chunks it imports statically (not the dynamic imports).
  const eager = new Set([entryPath]);
  for (let grew = true; grew;) {
    grew = false;
    for (const path of [...eager]) {
      for (const imported of result.metafile.outputs[path]?.imports ?? []) {
        if (imported.kind === 'import-statement' && !eager.has(imported.path)) {
          eager.add(imported.path);
          grew = true;
        }
      }
    }
  }
  const inEager = (file) => [...eager].some((path) => file.path.endsWith(path.replace(/^.*\.bundle-size\//, '')));
  const sum = (list) => list.reduce((total, file) => total + file.contents.length, 0);
  const gzip = (list) => list.reduce((total, file) => total + gzipSync(file.contents).length, 0);
  const startup = files.filter((file) => isEntry(file) || inEager(file));
  const lazy = files.filter((file) => !startup.includes(file));
  return {
    startupBytes: sum(startup),
    startupGzipBytes: gzip(startup),
    lazyBytes: sum(lazy),
    lazyChunks: lazy.length,
    wasmInStartup: startup.some((file) => file.text.includes(WASM_BASE64_MARKER)),
  };
}

const cases = {
  "import { tensor } from '@dendrite/core'": "import { tensor } from '@dendrite/core'; globalThis.sink = tensor;",
  "import { tensor, ready } from '@dendrite/core'": "import { tensor, ready } from '@dendrite/core'; globalThis.sink = [tensor, ready];",
};
const results = {};
for (const [name, source] of Object.entries(cases)) results[name] = await measure(source);

if (process.argv.includes('--json')) {
  console.log(JSON.stringify(results, null, 2));
} else {
  const kib = (bytes) => `${(bytes / 1024).toFixed(1)} KiB`;
  for (const [name, result] of Object.entries(results)) {
    console.log(`${name}: start-up ${kib(result.startupBytes)} (${kib(result.startupGzipBytes)} gzip), ` +
      `lazy ${kib(result.lazyBytes)} in ${result.lazyChunks} chunk(s), wasm in start-up: ${result.wasmInStartup ? 'yes' : 'no'}`);
  }
}
