// The layers on the GPU backend in Node: gpu.js's WebAssembly mode (the same kernel sources run on
// the host) and headless-gl (the kernels compiled to GLSL and run through ANGLE on Mesa's llvmpipe,
// with the Xvfb the global setup starts). Every case of test-support/gpu-layer-cases.ts must give
// the CPU backend's weights (bit for bit), outputs, gradients and buffers; browser/chromium.test.ts
// runs the same cases on WebGL2 and WebGPU.
import { getBackendInfo, setBackend } from '@dendrite/core';
import { createGpuBackend, type GpuBackend, type GpuJsMode } from '@dendrite/backend-gpujs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// The backend's own probe: whether `gl` is built and gets a context, and whether CI requires it.
import { headlessGlRequired, headlessGlUnavailable } from '../../backend-gpujs/src/test-support/headless-gl.js';
import { EXPECTED_UNSUPPORTED, LAYER_CASES, expectLayerCaseMatches, largestDifference, runLayerCase, type LayerCaseResult } from './test-support/gpu-layer-cases.js';

const modes: GpuJsMode[] = ['webasm', ...(headlessGlUnavailable === null ? ['headlessgl' as const] : [])];
if (headlessGlUnavailable !== null) console.warn(`layers on headless-gl skipped: ${headlessGlUnavailable}`);

const reference = new Map<string, LayerCaseResult>();
beforeAll(async () => {
  await setBackend('cpu');
  for (const layerCase of LAYER_CASES) reference.set(layerCase.name, await runLayerCase(layerCase));
});

if (headlessGlUnavailable !== null) {
  describe('layers on headless-gl', () => {
    it.runIf(headlessGlRequired)('is available (DENDRITE_REQUIRE_HEADLESS_GL=1)', () => {
      expect.fail(`headless-gl is required here but ${headlessGlUnavailable}`);
    });
    it.skip(`run the layer cases (skipped: ${headlessGlUnavailable})`, () => {});
  });
}

describe.each(modes)('layers on the gpu backend (gpu.js %s mode) match the CPU backend', (mode) => {
  let backend: GpuBackend;
  const unsupported = EXPECTED_UNSUPPORTED[mode] ?? {};
  const largest = { difference: 0, name: '' };
  beforeAll(async () => {
    backend = await createGpuBackend({ mode });
    await setBackend(backend);
  });
  afterAll(async () => {
    await setBackend('cpu');
    await backend.destroy();
    console.info(`layers on ${mode}: largest |gpu − cpu| ${largest.difference.toExponential(1)} (${largest.name})`);
  });

  it('runs on the gpu backend', () => {
    expect(getBackendInfo()).toMatchObject({ name: 'gpu', implementation: mode });
  });

  for (const layerCase of LAYER_CASES) {
    const reason = unsupported[layerCase.name];
    if (reason !== undefined) {
      // Listed as unsupported: it must still fail, so the list stays true.
      it(`${layerCase.name}: expected unsupported on ${mode} (${reason.message})`, async () => {
        await expect(runLayerCase(layerCase)).rejects.toThrow(reason.error);
      });
      continue;
    }
    it(layerCase.name, async () => {
      const actual = await runLayerCase(layerCase);
      const expected = reference.get(layerCase.name)!;
      expectLayerCaseMatches(layerCase, actual, expected);
      const difference = largestDifference(actual, expected);
      if (difference >= largest.difference) Object.assign(largest, { difference, name: layerCase.name });
    });
  }

  it('frees every tensor of the cases', () => {
    expect(backend.memory().buffers).toBe(0);
  });
});
