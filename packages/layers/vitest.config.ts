import { defineConfig } from 'vitest/config';
import { coreGlobalSetup, sourceAliases } from '../../vitest.sources.js';

export default defineConfig({
  resolve: { alias: sourceAliases },
  test: {
    // The backend's setup starts a private Xvfb for headless-gl when DISPLAY is unset (src/gpu-backend.test.ts).
    globalSetup: [coreGlobalSetup, '../backend-gpujs/test-setup/xvfb.ts'],
    include: ['src/**/*.test.ts', 'browser/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
