import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import * as backendEntry from './backend/index.js';
import * as main from './index.js';
import * as testing from './testing/index.js';

const INTERNAL = ['conv2dWithInfo', 'conv2dBackpropInput', 'conv2dBackpropFilter', 'matmulGrads', 'engine', 'Engine'];
const BACKEND_AUTHORING = ['Engine', 'engine', 'createCpuBackend', 'createDefaultCpuBackend', 'createWasmAccelerator', 'UNARY_OPS', 'BINARY_OPS'];

describe('entry points', () => {
  it('the main entry holds tensors, ops, autograd and backend choice, not internals or backend-author APIs', () => {
    for (const name of ['tensor', 'matmul', 'conv2d', 'grad', 'tidy', 'setBackend', 'registerBackend', 'ready', 'DendriteError', 'RandomGenerator']) {
      expect(main, name).toHaveProperty(name);
    }
    for (const name of [...INTERNAL, ...BACKEND_AUTHORING]) expect(Object.keys(main), name).not.toContain(name);
  });

  it('@dendrite/core/backend holds the backend-author APIs; @dendrite/core/testing the kernel checks', () => {
    for (const name of BACKEND_AUTHORING) expect(backendEntry, name).toHaveProperty(name);
    for (const name of ['conv2dWithInfo', 'matmulGrads']) expect(Object.keys(backendEntry), name).not.toContain(name);
    for (const name of ['runConformanceSuite', 'runKernelChecks', 'kernelCases', 'runKernelCase', 'gradCheck', 'expectClose']) {
      expect(testing, name).toHaveProperty(name);
    }
  });

  it('a bundle of `import { tensor }` leaves the base64 WebAssembly kernels to a chunk that only ready() loads', async () => {
    const result = await build({
      stdin: { contents: "import { tensor } from './src/index.ts'; globalThis.sink = tensor;", resolveDir: fileURLToPath(new URL('..', import.meta.url)), loader: 'ts' },
      bundle: true, minify: true, platform: 'browser', format: 'esm', splitting: true, outdir: 'bundle-test', write: false, metafile: true, logLevel: 'silent',
    });
    const [entryPath, entry] = Object.entries(result.metafile.outputs).find(([, output]) => output.entryPoint !== undefined)!;
    const staticImports = entry.imports.filter((imported) => imported.kind === 'import-statement').map((imported) => imported.path);
    const startup = result.outputFiles.filter((file) => [entryPath, ...staticImports].some((path) => file.path.endsWith(path.replace(/^bundle-test\//, ''))));
    const wasmMagicInBase64 = 'AGFzbQ';
    expect(startup.length).toBeGreaterThan(0);
    expect(startup.some((file) => file.text.includes(wasmMagicInBase64))).toBe(false);
    expect(result.outputFiles.some((file) => file.text.includes(wasmMagicInBase64))).toBe(true); // still there, split off
  });
});
