import { describe, expect, it } from 'vitest';
import { createGpuBackend } from './index.js';

describe('mode selection in Node', () => {
  it('falls back past WebGPU and headless-gl, saying why, and still works', async () => {
    const backend = await createGpuBackend();
    const info = backend.info();
    expect(info.name).toBe('gpu');
    expect(['webgpu', 'headlessgl', 'webasm', 'cpu']).toContain(info.implementation);
    if (info.implementation !== 'webgpu') {
      // On this machine Dawn does not load (GLIBCXX too old): the note carries the loader's reason.
      expect(info.notes!.join('\n')).toMatch(/webgpu not used: /);
    }
    if (info.implementation === 'webasm') expect(info.notes!.join('\n')).toMatch(/headlessgl not used: /);
    const a = backend.upload(new Float32Array([1, 2, 3, 4]), [2, 2], 'float32');
    const b = backend.upload(new Float32Array([5, 6, 7, 8]), [2, 2], 'float32');
    const product = backend.matmul({ dataId: a, shape: [2, 2], dtype: 'float32' }, { dataId: b, shape: [2, 2], dtype: 'float32' }, false, false, [2, 2]);
    expect(Array.from(await backend.read(product, 'float32'))).toEqual([19, 22, 43, 50]);
    await backend.destroy();
  });

  it('rejects an explicit mode that cannot run here, naming the reason', async () => {
    await expect(createGpuBackend({ mode: 'webgl2' })).rejects.toThrow(/mode 'webgl2' is not available here: no WebGL2 context/);
  });
});
