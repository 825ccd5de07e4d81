// Timing of the int8 convolution kernel against the float32 convolution on the bench CNN's two layers
// at batch 256 (not a test): the float32 conv kernel alone (the float path then adds bias, relu and
// a 2x2 max pool in separate passes), the int8 direct kernel with bias + relu fused, and the same
// with the 2x2 max pool fused. Alternating rounds, process CPU time, min and median. Run with
// `pnpm --filter @dendrite/core timing:int8-conv [-- --threads=2 --rounds=15]`.
import type { Conv2DInfo } from '../src/backend/backend.js';
import { createWasmAccelerator } from '../src/backends/cpu/wasm/index.js';
import { randomArray } from './timing-helpers.js';

const BATCH = 256;
const ROUNDS = Number(process.argv.find((a) => a.startsWith('--rounds='))?.slice(9) ?? 15);
const threads = Number(process.argv.find((a) => a.startsWith('--threads='))?.slice(10) ?? 1);
const LAYERS: Array<[string, number, number, number, number]> = [['conv1 28x28x1 -> 8', 28, 1, 8, 5], ['conv2 14x14x8 -> 16', 14, 8, 16, 5]];

function cpuMs(call: () => void, calls = 3): number {
  const start = process.cpuUsage();
  for (let i = 0; i < calls; i++) call();
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1000 / calls;
}
const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

const accelerator = await createWasmAccelerator({ threads });
const rows = [];
for (const [name, size, cin, cout, k] of LAYERS) {
  const info: Conv2DInfo = {
    batch: BATCH, inHeight: size, inWidth: size, inChannels: cin, outHeight: size, outWidth: size, outChannels: cout,
    filterHeight: k, filterWidth: k, strideHeight: 1, strideWidth: 1, dilationHeight: 1, dilationWidth: 1, padTop: 2, padLeft: 2,
  };
  const x = randomArray(accelerator, BATCH * size * size * cin);
  const filter = randomArray(accelerator, k * k * cin * cout);
  const out = accelerator.allocate!(BATCH * size * size * cout);
  const pooled = accelerator.allocate!(BATCH * (size / 2) * (size / 2) * cout);
  const int8Filter = new Int32Array(k * k * cin * cout).map(() => Math.round(Math.random() * 254) - 127);
  const scales = randomArray(accelerator, cout);
  const bias = randomArray(accelerator, cout);
  const variants: Record<string, () => void> = {
    'float32 conv': () => { if (!accelerator.conv2d!(x, filter, out, info)) throw new Error('conv2d declined'); },
    'int8 direct': () => { if (!accelerator.int8Conv2d!(x, int8Filter, scales, bias, out, info, 0, true)) throw new Error('declined'); },
    'int8 direct + pool': () => { if (!accelerator.int8Conv2d!(x, int8Filter, scales, bias, pooled, info, 0, true, [2, 2])) throw new Error('declined'); },
  };
  const times: Record<string, number[]> = Object.fromEntries(Object.keys(variants).map((key) => [key, []]));
  for (const call of Object.values(variants)) call();
  for (let round = 0; round < ROUNDS; round++) for (const [key, call] of Object.entries(variants)) times[key].push(cpuMs(call));
  for (const key of Object.keys(variants)) rows.push({ layer: name, variant: key, 'min ms': Math.min(...times[key]).toFixed(3), 'median ms': median(times[key]).toFixed(3) });
}
console.log(`CPU time, ${threads} thread(s), batch ${BATCH}, ${ROUNDS} alternating rounds`);
console.table(rows);
process.exit(0);
