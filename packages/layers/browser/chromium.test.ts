// The layer cases of src/test-support/gpu-layer-cases.ts in headless Chromium (SwiftShader): one
// browser launch runs them all on the gpu backend's WebGL2 mode and, where SwiftShader offers an
// adapter, WebGPU; each result must match the CPU backend's, computed here in Node.
import { setBackend } from '@dendrite/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// The backend's browser harness: bundles the page with esbuild, serves it, opens Chromium.
import { chromiumAvailable, openPage, type OpenPage } from '../../backend-gpujs/browser/harness.js';
import { EXPECTED_UNSUPPORTED, LAYER_CASES, expectLayerCaseMatches, largestDifference, runLayerCase, type LayerCaseResult } from '../src/test-support/gpu-layer-cases.js';
import type { ModeReport } from './page.js';

const available = chromiumAvailable('the layers on the gpu backend in Chromium');

describe.skipIf(!available)('layers on the gpu backend in headless Chromium (SwiftShader) match the CPU backend', () => {
  let opened: OpenPage;
  let report: { webgl2: ModeReport; webgpu: ModeReport | null };
  const reference = new Map<string, LayerCaseResult>();

  beforeAll(async () => {
    await setBackend('cpu');
    for (const layerCase of LAYER_CASES) reference.set(layerCase.name, await runLayerCase(layerCase));
    opened = await openPage(new URL('./page.ts', import.meta.url));
    report = await opened.page.evaluate(async () => (window as unknown as { runLayers(): Promise<{ webgl2: ModeReport; webgpu: ModeReport | null }> }).runLayers());
    if (opened.pageErrors.length > 0) console.warn(`page errors: ${opened.pageErrors.join('; ')}`);
    const line = (mode: string, modeReport: ModeReport | null) => {
      if (modeReport === null) return `${mode}: no adapter, not run`;
      const slowest = Object.entries(modeReport.caseSeconds).sort((a, b) => b[1] - a[1]).slice(0, 3);
      let largest = 0;
      for (const [name, outcome] of Object.entries(modeReport.results)) {
        if ('result' in outcome) largest = Math.max(largest, largestDifference(outcome.result, reference.get(name)!));
      }
      return `${mode}: ${LAYER_CASES.length} cases in ${modeReport.seconds.toFixed(1)} s (slowest ${slowest.map(([name, seconds]) => `${name} ${seconds.toFixed(1)} s`).join(', ')}), ` +
        `largest |gpu − cpu| ${largest.toExponential(1)}`;
    };
    console.info(`layers in Chromium: ${line('webgl2', report.webgl2)}; ${line('webgpu', report.webgpu)}`);
    // About 30 s on two idle cores (SwiftShader compiles every shader on the CPU); room for a loaded machine.
  }, 300_000);

  afterAll(async () => {
    await opened?.close();
  });

  for (const mode of ['webgl2', 'webgpu'] as const) {
    describe(mode, () => {
      const unsupported = EXPECTED_UNSUPPORTED[mode] ?? {};
      const modeReport = (): ModeReport | null => report[mode];

      it(`runs on the gpu backend in ${mode} mode${mode === 'webgpu' ? ' (when SwiftShader offers an adapter)' : ''}`, () => {
        const current = modeReport();
        if (current === null) {
          // WebGL2 always runs; WebGPU only where this Chromium gives an adapter.
          expect(mode).toBe('webgpu');
          console.warn('no WebGPU adapter in this Chromium: the layer cases did not run on webgpu');
          return;
        }
        expect(current.info).toMatchObject({ name: 'gpu', implementation: mode });
      });

      for (const layerCase of LAYER_CASES) {
        const reason = unsupported[layerCase.name];
        it(reason ? `${layerCase.name}: expected unsupported on ${mode} (${reason.message})` : layerCase.name, () => {
          const current = modeReport();
          if (current === null) return;
          const outcome = current.results[layerCase.name];
          if (reason) {
            // Listed as unsupported: it must still fail that way, so the list stays true.
            expect('error' in outcome ? outcome.error : 'ran without an error').toMatch(reason.error);
            return;
          }
          if ('error' in outcome) expect.fail(`${layerCase.name} threw on ${mode}: ${outcome.error}`);
          expectLayerCaseMatches(layerCase, outcome.result, reference.get(layerCase.name)!);
        });
      }

      it('frees every tensor of the cases', () => {
        const current = modeReport();
        if (current !== null) expect(current.liveBuffers).toBe(0);
      });
    });
  }
});
