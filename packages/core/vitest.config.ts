import { defineConfig } from 'vitest/config';

// Node 20 runs WebAssembly relaxed SIMD only behind a V8 flag (Node 22+ by default): the test
// workers get the flag there, so the relaxed-SIMD kernel build runs in the suite beside SIMD128.
const nodeMajor = Number(process.versions.node.split('.')[0]);
const relaxedSimdFlag = nodeMajor < 22 ? ['--experimental-wasm-relaxed-simd'] : [];

export default defineConfig({
  test: { include: ['src/**/*.test.ts', 'browser/**/*.test.ts'], testTimeout: 60_000, hookTimeout: 60_000, execArgv: relaxedSimdFlag },
});
