import { defineConfig } from 'vitest/config';
import { coreGlobalSetup, sourceAliases } from '../../vitest.sources.js';

// @dendrite/core is a devDependency only: the tests compare SeededRandom with core's RandomGenerator and
// feed batches to core's tensor(); the package itself never imports core.
export default defineConfig({
  resolve: { alias: sourceAliases },
  test: { globalSetup: [coreGlobalSetup], include: ['src/**/*.test.ts'], testTimeout: 60_000, hookTimeout: 60_000 },
});
