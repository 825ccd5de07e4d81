/**
 * Resident matmul benchmark of the gpu.js backend: inputs uploaded once, each product stays on the
 * device, one read at the end waits for the device. Reports GFLOP/s per size.
 *
 *   node bench/run.mjs [--mode auto|webgpu|webgl2|headlessgl|webasm|cpu] [--sizes 1024,2048,4096] [--seconds 2]
 *
 * On the GPU machine: ../shared/device/pack.sh packages/backend-gpujs/bench/gpu-bench.ts, then the
 * device tool with carry ['.devkit'] and `bash .devkit/gpu-run.sh --mode webgpu`; results land in
 * $DEVKIT_OUT/gpu-bench.json.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createGpuBackend, type GpuBackendMode } from '../src/index.js';

interface Arguments {
  mode: GpuBackendMode;
  sizes: number[];
  seconds: number;
}

function parseArguments(argv: readonly string[]): Arguments {
  const value = (flag: string): string | undefined => {
    const index = argv.indexOf(flag);
    return index >= 0 ? argv[index + 1] : undefined;
  };
  return {
    mode: (value('--mode') ?? 'auto') as GpuBackendMode,
    sizes: (value('--sizes') ?? '1024,2048,4096').split(',').map(Number),
    seconds: Number(value('--seconds') ?? '2'),
  };
}

function randomMatrix(size: number, seed: number): Float32Array {
  const values = new Float32Array(size * size);
  let state = seed;
  for (let index = 0; index < values.length; index++) {
    state = (state * 1664525 + 1013904223) >>> 0;
    values[index] = state / 4294967296 - 0.5;
  }
  return values;
}

async function main(): Promise<void> {
  const { mode, sizes, seconds } = parseArguments(process.argv.slice(2));
  const backend = await createGpuBackend({ mode });
  const info = backend.info();
  console.log(`gpu backend: ${info.implementation}${info.notes?.length ? ` (${info.notes.join('; ')})` : ''}`);
  const results: Array<Record<string, number | string>> = [];
  for (const size of sizes) {
    const shape = [size, size];
    const a = { dataId: backend.upload(randomMatrix(size, 1), shape, 'float32'), shape, dtype: 'float32' as const };
    const b = { dataId: backend.upload(randomMatrix(size, 2), shape, 'float32'), shape, dtype: 'float32' as const };
    // Warm-up: compiles the kernel and checks one element against a plain dot product.
    const warm = backend.matmul(a, b, false, false, shape);
    const first = await backend.read(warm, 'float32');
    backend.dispose(warm);
    const aHost = randomMatrix(size, 1);
    const bHost = randomMatrix(size, 2);
    let expected = 0;
    for (let k = 0; k < size; k++) expected += aHost[k] * bHost[k * size];
    const relativeError = Math.abs(first[0] - expected) / Math.max(1e-6, Math.abs(expected));
    let runs = 0;
    const start = performance.now();
    let last: object | null = null;
    while (performance.now() - start < seconds * 1000 || runs < 2) {
      if (last) backend.dispose(last);
      last = backend.matmul(a, b, false, false, shape);
      runs++;
      if (runs % 4 === 0) await backend.flush();
    }
    await backend.read(last!, 'float32'); // waits for every queued product
    const elapsed = (performance.now() - start) / 1000;
    backend.dispose(last!);
    backend.dispose(a.dataId);
    backend.dispose(b.dataId);
    const gflops = (2 * size ** 3 * runs) / elapsed / 1e9;
    const result = { size, runs, millisecondsPerMatmul: (elapsed * 1000) / runs, gflops, relativeErrorOfFirstElement: relativeError, mode: info.implementation };
    console.log(`matmul ${size}x${size}: ${result.millisecondsPerMatmul.toFixed(1)} ms, ${gflops.toFixed(2)} GFLOP/s (${runs} runs, element error ${relativeError.toExponential(1)})`);
    results.push(result);
  }
  const outDirectory = process.env.DEVKIT_OUT;
  if (outDirectory) {
    mkdirSync(outDirectory, { recursive: true });
    writeFileSync(join(outDirectory, 'gpu-bench.json'), JSON.stringify({ info, results }, null, 2));
  }
  await backend.destroy();
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
