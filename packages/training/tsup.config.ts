import { defineConfig } from 'tsup';

export default defineConfig({
  entry: { index: 'src/index.ts', node: 'src/node/index.ts' },
  format: ['esm', 'cjs'],
  dts: true,
  clean: true,
  sourcemap: true,
  target: 'es2022',
  // Shared chunks in CJS too, so that '.' and './node' share one Trainer and Callback class (instanceof works across them).
  splitting: true,
});
