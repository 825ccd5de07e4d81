/**
 * The browser side of chromium.test.ts: run every layer case of src/test-support/gpu-layer-cases.ts
 * on the gpu backend in Chromium's WebGL2 mode and, where SwiftShader offers an adapter, WebGPU, and
 * hand the results back as JSON; the test compares them with the CPU backend's in Node. Bundled by
 * esbuild (the backend's browser harness).
 */
import { setBackend } from '@dendrite/core';
import { createGpuBackend, type GpuJsMode } from '@dendrite/backend-gpujs';
import { LAYER_CASES, runLayerCase, type LayerCaseResult } from '../src/test-support/gpu-layer-cases.js';
import { webGpuAvailable } from '../../backend-gpujs/browser/web-gpu-available.js';

/** One mode's report: the backend it ran on, each case's result or error message, and buffers left alive. */
export interface ModeReport {
  info: unknown;
  results: Record<string, { result: LayerCaseResult } | { error: string }>;
  liveBuffers: number;
  seconds: number;
  /** Seconds per case (SwiftShader compiles each new shader on the CPU: the first cases pay most). */
  caseSeconds: Record<string, number>;
}

async function runMode(mode: GpuJsMode): Promise<ModeReport> {
  const started = performance.now();
  const backend = await createGpuBackend({ mode });
  await setBackend(backend);
  const results: ModeReport['results'] = {};
  const caseSeconds: Record<string, number> = {};
  for (const layerCase of LAYER_CASES) {
    const caseStarted = performance.now();
    try {
      results[layerCase.name] = { result: await runLayerCase(layerCase) };
    } catch (error) {
      results[layerCase.name] = { error: error instanceof Error ? error.message : String(error) };
    }
    caseSeconds[layerCase.name] = (performance.now() - caseStarted) / 1000;
  }
  const info = backend.info();
  const liveBuffers = backend.memory().buffers;
  await setBackend('cpu');
  await backend.destroy();
  return { info, results, liveBuffers, seconds: (performance.now() - started) / 1000, caseSeconds };
}

async function runLayers(): Promise<{ webgl2: ModeReport; webgpu: ModeReport | null }> {
  const webgl2 = await runMode('webgl2');
  const webgpu = (await webGpuAvailable()) ? await runMode('webgpu') : null;
  return { webgl2, webgpu };
}

(window as unknown as { runLayers: typeof runLayers }).runLayers = runLayers;
