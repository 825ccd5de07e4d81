import { readFileSync } from 'node:fs';
import { defineConfig } from 'tsup';

const { version } = JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8')) as { version: string };

export default defineConfig({
  entry: { index: 'src/index.ts', backend: 'src/backend/index.ts', testing: 'src/testing/index.ts' },
  format: ['esm', 'cjs'],
  // Splitting in both formats: the three entries share one engine chunk (one engine per format, never
  // one per entry), and the WebAssembly kernels land in chunks loaded by ready() only.
  splitting: true,
  // import.meta.url in the CJS build (core's one-copy check names the file that loaded).
  shims: true,
  dts: true,
  clean: true,
  sourcemap: true,
  target: 'es2022',
  external: ['vitest'],
  esbuildOptions(options, context) {
    options.define = { ...options.define, __DENDRITE_CORE_BUILD__: JSON.stringify(`${version} ${context.format}`) };
  },
});
