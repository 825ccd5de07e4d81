/**
 * The browser side of browser-bench.ts: the same measurements as the Node benchmark, on the gpu
 * backend in each requested mode (WebGL2, WebGL, WebGPU) of headless Chromium.
 */
import { setBackend } from '@dendrite/core';
import { createGpuBackend, type GpuJsMode } from '../src/index.js';
import { measureConv2d, measureMatmul, measureMlpEpoch, syntheticImages } from './measure.js';

/** What the runner asks for. */
export interface BrowserBenchRequest {
  modes: GpuJsMode[];
  sizes: number[];
  seconds: number;
  mlpSamples: number;
}

async function runBench(request: BrowserBenchRequest): Promise<Record<string, unknown>[]> {
  const results: Record<string, unknown>[] = [];
  const images = syntheticImages(request.mlpSamples, 784, 1);
  for (const mode of request.modes) for (const strips of [false, true]) {
    const backend = await createGpuBackend({ mode, strips }).catch((error: Error) => error);
    if (backend instanceof Error) {
      results.push({ mode, error: backend.message });
      break;
    }
    const matmul = [];
    for (const size of request.sizes) matmul.push(await measureMatmul(backend, size, request.seconds));
    const conv = await measureConv2d(backend, { batch: 32, size: 28, inChannels: 8, outChannels: 16, kernel: 5 }, request.seconds);
    await setBackend(backend);
    const mlp = request.mlpSamples > 0
      ? await measureMlpEpoch(images, { sizes: [784, 128, 64, 10], batchSize: 128, learningRate: 1e-3, seed: 1 })
      : null;
    await setBackend('cpu');
    results.push({ mode: `${mode} (strips ${backend.info().strips})`, info: backend.info(), matmul, conv, mlp });
    await backend.destroy();
  }
  return results;
}

(window as unknown as { runBench: typeof runBench }).runBench = runBench;
