import { defineConfig } from 'vitest/config';
import { coreGlobalSetup, sourceAliases } from '../../vitest.sources.js';

export default defineConfig({
  resolve: { alias: sourceAliases },
  test: { globalSetup: [coreGlobalSetup], include: ['src/**/*.test.ts'], testTimeout: 300_000 },
});
