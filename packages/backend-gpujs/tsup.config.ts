import { defineConfig } from 'tsup';

export default defineConfig({
  entry: { index: 'src/index.ts' },
  format: ['esm', 'cjs'],
  dts: true,
  clean: true,
  sourcemap: true,
  target: 'es2022',
  // gpu.js and its optional native bindings stay the user's install, never bundled.
  external: ['gpu.js', 'webgpu', 'gl', '@dendrite/core'],
});
