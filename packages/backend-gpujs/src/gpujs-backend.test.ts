import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGpuBackend, type GpuBackend } from './index.js';
import { headlessGlRequired, headlessGlUnavailable, nodeTestModes } from './test-support/headless-gl.js';
import { kernelCases, runKernelCase } from './test-support/kernel-checks.js';

// gpu.js's CPU-side modes compile the same kernel source to WebAssembly or plain JavaScript;
// headless-gl compiles it to GLSL and runs it through ANGLE (four outputs per thread in packed
// RGBA texels, as on WebGL). WebGL2/WebGL/WebGPU run in browser/chromium.test.ts.
describe.each(nodeTestModes)('gpu backend kernels on gpu.js %s mode', (mode) => {
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

  it('softmaxCrossEntropy names a label outside [0, classes) before launching anything', () => {
    const logits = backend.upload(new Float32Array(6), [2, 3], 'float32');
    const labels = backend.upload(new Int32Array([1, 3]), [2], 'int32');
    const info = (dataId: object, shape: number[], dtype: 'float32' | 'int32') => ({ dataId, shape, dtype });
    expect(() => backend.softmaxCrossEntropy!(info(logits, [2, 3], 'float32'), info(labels, [2], 'int32')))
      .toThrow('softmaxCrossEntropy: label 3 at row 1 is outside [0, 3)');
    backend.dispose(logits);
    backend.dispose(labels);
  });

  it('frees every buffer the checks made', () => {
    expect(backend.memory()).toEqual({ buffers: 0, bytes: 0 });
  });

  it.runIf(mode === 'headlessgl')('runs big matmuls and convolutions four outputs per thread in packed texels', () => {
    expect(backend.info()).toMatchObject({ implementation: 'headlessgl', precision: 'single', strips: 'packed' });
  });
});

describe('headless-gl in Node', () => {
  it.runIf(headlessGlUnavailable !== null && headlessGlRequired)('is available (DENDRITE_REQUIRE_HEADLESS_GL=1)', () => {
    expect.fail(`headless-gl is required here but ${headlessGlUnavailable}`);
  });
  it.skipIf(headlessGlUnavailable !== null)(`runs the kernels${headlessGlUnavailable === null ? '' : ` (skipped: ${headlessGlUnavailable})`}`, () => {
    expect(nodeTestModes).toContain('headlessgl');
  });
});
