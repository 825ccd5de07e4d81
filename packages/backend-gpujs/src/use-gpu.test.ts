import { getBackend, getBackendInfo, matmul, setBackend, sum, tensor } from '@dendrite/core';
import { describe, expect, it } from 'vitest';
import { GPU_DEVICE_MODES, detectGpuMode, useBestBackend, useGpu } from './index.js';
import { headlessGlUnavailable } from './test-support/headless-gl.js';

// In this Node process Dawn does not load, and headless-gl, where it is built, renders with Mesa's
// llvmpipe under Xvfb: a software rasterizer. Either way useBestBackend keeps core's CPU backend,
// saying why; the browser tests cover a graphics mode (browser/chromium.test.ts).
describe('choosing the backend with ordinary Dendrite code (Node)', () => {
  it('useBestBackend keeps core\'s CPU backend when no real GPU answers, saying why', async () => {
    const choice = await detectGpuMode();
    const info = await useBestBackend();
    expect(info.name).toBe('cpu');
    expect(getBackend().name).toBe('cpu');
    const notes = (info.notes ?? []).join('\n');
    if (GPU_DEVICE_MODES.includes(choice.mode)) {
      // headless-gl hides its renderer, so the same matmul was timed on both backends.
      expect(choice.mode).toBe('headlessgl');
      expect(notes).toMatch(/gpu not used: headless-gl ran a 512² matmul in [\d.]+ ms against [\d.]+ ms on the CPU backend/);
    } else {
      expect(notes).toMatch(/gpu not used: no graphics device answered/);
      expect(notes).toMatch(new RegExp(`'${choice.mode}' mode on the CPU`));
    }
    expect(notes).toMatch(/webgpu not used: |gpu not used: headless-gl/);
    expect(notes).toMatch(/setBackend\('gpu'\) forces it/);
    // Ops run on it as usual; a second call does not stack the note.
    expect(await sum(tensor([1, 2, 3])).item()).toBe(6);
    const again = await useBestBackend();
    expect((again.notes ?? []).filter((note) => note.startsWith('gpu not used')).length).toBe(1);
  });

  it.skipIf(headlessGlUnavailable !== null)('useBestBackend({ allowSoftwareDevice: true }) takes headless-gl on a software rasterizer', async () => {
    const info = await useBestBackend({ allowSoftwareDevice: true });
    expect(info).toMatchObject({ name: 'gpu', implementation: 'headlessgl', strips: 'packed' });
    const product = matmul(tensor([[1, 2], [3, 4]]), tensor([[5, 6], [7, 8]]));
    expect(await product.array()).toEqual([[19, 22], [43, 50]]);
    await setBackend('cpu');
  });

  it('setBackend(\'gpu\') after useBestBackend forces the gpu backend in any mode', async () => {
    await useBestBackend();
    const backend = await setBackend('gpu');
    expect(backend.name).toBe('gpu');
    expect(getBackendInfo().name).toBe('gpu');
    const product = matmul(tensor([[1, 2], [3, 4]]), tensor([[5, 6], [7, 8]]));
    expect(await product.array()).toEqual([[19, 22], [43, 50]]);
    await setBackend('cpu');
  });

  it('useGpu activates the gpu backend and reports its mode; a conflicting mode is a clear error', async () => {
    const info = await useGpu();
    expect(info.name).toBe('gpu');
    expect(getBackend().name).toBe('gpu');
    const total = sum(tensor([[1, 2], [3, 4]]));
    expect(await total.item()).toBe(10);
    const other = info.implementation === 'cpu' ? 'webasm' : 'cpu';
    await expect(useGpu({ mode: other })).rejects.toThrow(new RegExp(`already runs in mode '${info.implementation}', not '${other}'`));
    await setBackend('cpu');
  });
});
