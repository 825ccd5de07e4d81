// Tests resolve @dendrite/* packages to their TypeScript sources, so `pnpm --filter <package> test`
// works on a fresh clone (nothing built yet) and always sees the current code of its dependencies.
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('.', import.meta.url));

/** Package specifier → source entry (most specific first). */
export const sourceEntries: Readonly<Record<string, string>> = {
  '@dendrite/core/testing': `${root}packages/core/src/testing/index.ts`,
  '@dendrite/core/backend': `${root}packages/core/src/backend/index.ts`,
  '@dendrite/core': `${root}packages/core/src/index.ts`,
  '@dendrite/datasets/node': `${root}packages/datasets/src/node/index.ts`,
  '@dendrite/datasets': `${root}packages/datasets/src/index.ts`,
  '@dendrite/optimizers': `${root}packages/optimizers/src/index.ts`,
  '@dendrite/training/node': `${root}packages/training/src/node/index.ts`,
  '@dendrite/training': `${root}packages/training/src/index.ts`,
  '@dendrite/layers/node': `${root}packages/layers/src/node.ts`,
  '@dendrite/layers': `${root}packages/layers/src/index.ts`,
  '@dendrite/backend-gpujs': `${root}packages/backend-gpujs/src/index.ts`,
  '@dendrite/recsys/cli': `${root}packages/recsys/src/cli.ts`,
  '@dendrite/recsys': `${root}packages/recsys/src/index.ts`,
};

/** Vite aliases matching each specifier exactly. */
export const sourceAliases = Object.entries(sourceEntries).map(([specifier, file]) => ({
  find: new RegExp(`^${specifier.replace(/[/.]/g, '\\$&')}$`),
  replacement: file,
}));

/** Builds core's generated WebAssembly module before tests that load core's sources. */
export const coreGlobalSetup = `${root}scripts/vitest-build-wasm.ts`;
