import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGpuBackend, detectGpuMode, type GpuBackend } from './index.js';
import { headlessGlRequired, headlessGlUnavailable, nodeTestModes } from './test-support/headless-gl.js';
import { kernelCases, runKernelCase } from '@dendrite/core/testing';

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

  it('topK keeps the lower index first on ties, sorted and unsorted', async () => {
    const info = (dataId: object, shape: number[], dtype: 'float32' | 'int32') => ({ dataId, shape, dtype });
    const x = backend.upload(new Float32Array([2, 5, 5, 1, 5, 2, -1, -1, 0, -1]), [2, 5], 'float32');
    const read = async (dataId: object, dtype: 'float32' | 'int32') => Array.from(await backend.read(dataId, dtype));
    for (const [sorted, expectedIndices, expectedValues] of [
      [true, [1, 2, 4, 0, 3, 1], [5, 5, 5, 2, 0, -1]],
      [false, [1, 2, 4, 0, 1, 3], [5, 5, 5, 2, -1, 0]],
    ] as const) {
      const [values, indices] = backend.topK(info(x, [2, 5], 'float32'), 3, sorted);
      expect(await read(indices, 'int32')).toEqual(expectedIndices);
      expect(await read(values, 'float32')).toEqual(expectedValues);
      backend.dispose(values);
      backend.dispose(indices);
    }
    backend.dispose(x);
  });

  it('frees every buffer the checks made', () => {
    expect(backend.memory()).toEqual({ buffers: 0, bytes: 0 });
  });

  it.runIf(mode === 'headlessgl')('runs big matmuls four outputs per thread in packed texels, batched a over unbatched b too', () => {
    expect(backend.info()).toMatchObject({ implementation: 'headlessgl', precision: 'single', strips: 'packed' });
    const launches = (aShape: number[], bShape: number[], outShape: number[]): number => {
      const a = backend.upload(new Float32Array(aShape.reduce((x, y) => x * y, 1)), aShape, 'float32');
      const b = backend.upload(new Float32Array(bShape.reduce((x, y) => x * y, 1)), bShape, 'float32');
      const before = backend.stats().kernelRuns;
      const product = backend.matmul({ dataId: a, shape: aShape, dtype: 'float32' }, { dataId: b, shape: bShape, dtype: 'float32' }, false, false, outShape);
      const runs = backend.stats().kernelRuns - before;
      for (const dataId of [a, b, product]) backend.dispose(dataId);
      return runs;
    };
    // Pack a, pack b, strips, unpack; a batched b keeps one output per thread (one launch).
    expect(launches([64, 64], [64, 64], [64, 64])).toBe(4);
    expect(launches([4, 16, 64], [1, 64, 64], [4, 16, 64])).toBe(4);
    expect(launches([4, 16, 64], [4, 64, 64], [4, 16, 64])).toBe(1);
  });
});

describe('headless-gl in Node', () => {
  it.runIf(headlessGlUnavailable !== null && headlessGlRequired)('is available (DENDRITE_REQUIRE_HEADLESS_GL=1)', () => {
    expect.fail(`headless-gl is required here but ${headlessGlUnavailable}`);
  });
  // The name carries the reason when skipped. gpu.js's own check (which 'auto' consults) must agree
  // with the probe that put headless-gl among the tested modes.
  it.skipIf(headlessGlUnavailable !== null)(`is what 'auto' picks when Dawn is absent${headlessGlUnavailable === null ? '' : ` (skipped: ${headlessGlUnavailable})`}`, async () => {
    expect(['webgpu', 'headlessgl']).toContain((await detectGpuMode()).mode);
  });
});
