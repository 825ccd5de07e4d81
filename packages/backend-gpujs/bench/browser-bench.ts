/**
 * The gpu backend's benchmark in headless Chromium (/usr/bin/chromium; SwiftShader here, so it
 * measures a CPU rasterizer unless Chromium finds a real GPU): resident matmul and conv2d, and MLP
 * training steps (784-128-64-10, batch 128, Adam, synthetic images) per mode.
 *
 *   node bench/run.mjs --browser [--modes webgl2,webgpu] [--sizes 128,256,512] [--seconds 1] [--mlp-samples 1280]
 */
import { join } from 'node:path';
import { openPage } from '../browser/harness.js';
import type { GpuJsMode } from '../src/index.js';
import type { BrowserBenchRequest } from './browser-bench-page.js';

function parseArguments(argv: readonly string[]): BrowserBenchRequest {
  const value = (flag: string): string | undefined => {
    const index = argv.indexOf(flag);
    return index >= 0 ? argv[index + 1] : undefined;
  };
  return {
    modes: (value('--modes') ?? 'webgl2,webgpu').split(',') as GpuJsMode[],
    sizes: (value('--sizes') ?? '128,256,512').split(',').map(Number),
    seconds: Number(value('--seconds') ?? '1'),
    mlpSamples: Number(value('--mlp-samples') ?? '1280'),
  };
}

async function main(): Promise<void> {
  const request = parseArguments(process.argv.slice(2));
  const benchFolder = process.env.DENDRITE_BENCH_DIR;
  if (!benchFolder) throw new Error('browser-bench: run it through bench/run.mjs --browser (DENDRITE_BENCH_DIR is unset)');
  const opened = await openPage(join(benchFolder, 'browser-bench-page.ts'));
  try {
    // The page's report is plain JSON; its shape is what browser-bench-page.ts returns.
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    type Report = Array<Record<string, any>>;
    const results = await opened.page.evaluate(
      async (pageRequest) => (window as unknown as { runBench(request: BrowserBenchRequest): Promise<Report> }).runBench(pageRequest),
      request,
    );
    for (const result of results) {
      if (result.error) {
        console.log(`${result.mode}: not available (${result.error})`);
        continue;
      }
      for (const matmul of result.matmul) {
        console.log(`${result.mode} matmul ${matmul.size}x${matmul.size}: ${matmul.millisecondsPerMatmul.toFixed(2)} ms, ${matmul.gflops.toFixed(2)} GFLOP/s (error ${matmul.relativeErrorOfFirstElement.toExponential(1)})`);
      }
      console.log(`${result.mode} conv2d ${result.conv.shape}: ${result.conv.millisecondsPerConv.toFixed(2)} ms, ${result.conv.gflops.toFixed(2)} GFLOP/s`);
      if (result.mlp) {
        console.log(`${result.mode} MLP ${result.mlp.sizes} batch ${result.mlp.batchSize}: ${result.mlp.millisecondsPerBatch.toFixed(1)} ms/batch, ${Math.round(result.mlp.samplesPerSecond)} samples/s over ${result.mlp.samples} samples`);
      }
    }
    if (opened.pageErrors.length > 0) console.warn(`page errors: ${opened.pageErrors.join('; ')}`);
  } finally {
    await opened.close();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
