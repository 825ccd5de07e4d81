import { createWasmAccelerator } from '../src/backends/cpu/wasm/index.js';
import * as plan from '../src/backends/cpu/wasm/chunk-plan.js';
const busy = (us: number) => { const until = performance.now() + us / 1000; while (performance.now() < until); };
const accs = [await createWasmAccelerator({ threads: 1 }), await createWasmAccelerator({ threads: 2 })];
for (const [m, n, k] of [[32, 64, 64], [64, 64, 64], [64, 64, 128], [128, 64, 64], [128, 64, 128], [128, 128, 128]]) {
  const row: string[] = [];
  for (const gap of [10, 200]) for (const acc of accs) {
    const a = acc.allocate!(m * k).fill(0.5), b = acc.allocate!(k * n).fill(0.25), out = acc.allocate!(m * n);
    const times: number[] = [];
    for (let r = 0; r < 300; r++) { busy(gap); const t0 = performance.now(); acc.matmul(a, b, out, m, n, k, false, false, null, 'linear'); times.push(performance.now() - t0); }
    times.sort((x, y) => x - y);
    row.push(`t${acc.threads} gap${gap}µs median ${(times[150] * 1000).toFixed(1)}µs`);
  }
  console.log(m, n, k, m * n * k, plan.planMatmulGrid(m, n, k, 2).chunkCount, row.join(' | '));
}
for (const acc of accs) acc.dispose();
