import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGpuBackend, type GpuBackend } from './index.js';
import { kernelCases, runKernelCase } from './test-support/kernel-checks.js';

// The real GPU paths (WebGL2 in Chromium) run in browser/chromium.test.ts; these are gpu.js's
// CPU-side modes, which compile the same kernel source to WebAssembly or plain JavaScript.
describe.each(['webasm', 'cpu'] as const)('gpu backend kernels on gpu.js %s mode', (mode) => {
  let backend: GpuBackend;
  beforeAll(async () => {
    backend = await createGpuBackend({ mode });
  });
  afterAll(async () => {
    await backend.destroy();
  });

  it.each(kernelCases().map((kernelCase) => [kernelCase.name, kernelCase] as const))('%s', async (_name, kernelCase) => {
    expect(await runKernelCase(backend, kernelCase)).toBeNull();
  });

  it('frees every buffer the checks made', () => {
    expect(backend.memory()).toEqual({ buffers: 0, bytes: 0 });
  });
});
