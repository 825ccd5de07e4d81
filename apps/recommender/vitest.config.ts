import { defineConfig } from 'vitest/config';
import { coreGlobalSetup, sourceAliases } from '../../vitest.sources.js';

export default defineConfig({
  resolve: { alias: sourceAliases },
  test: { globalSetup: [coreGlobalSetup], include: ['src/**/*.test.ts'], testTimeout: 120_000, hookTimeout: 120_000 },
});
