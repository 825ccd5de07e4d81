// pnpm --filter @dendrite/bench int8-profile [--threads=N] [--rounds=N]: where the bench CNN's float32
// and int8 inference at batch 256 spend their time, per backend kernel (each backend method wrapped
// with a process-CPU-time timer), on one thread by default. Not a test: speed goes here.
import { registerBackend, setBackend, getBackendInfo } from '@dendrite/core';
import { createDefaultCpuBackend, type Backend } from '@dendrite/core/backend';
import { loadFashionMnist, PIXELS_PER_IMAGE } from '../fashion-mnist.js';
import type { Classifier } from '../implementation.js';
import { createDendriteImplementation } from '../implementations/dendrite.js';
import { cnnParameters } from '../parameters.js';
import { WEIGHT_SEED } from '../workloads.js';

const threads = Number(process.argv.find((a) => a.startsWith('--threads='))?.slice(10) ?? 1);
registerBackend('cpu-profile', () => createDefaultCpuBackend({ threads }), 100);
const backend = await setBackend('cpu-profile') as Backend;
const totals = new Map<string, { calls: number; cpu: number }>();
let enabled = false;
const kernels = (backend as unknown as { kernels?: Record<string, unknown> }).kernels ?? backend as unknown as Record<string, unknown>;
for (const key of Object.keys(kernels)) {
  const original = kernels[key];
  if (typeof original !== 'function' || ['name', 'init', 'info', 'memory', 'read', 'readSync', 'setAccelerator'].includes(key)) continue;
  kernels[key] = function (this: unknown, ...args: unknown[]) {
    const start = process.cpuUsage();
    const result = (original as (...a: unknown[]) => unknown).apply(this, args);
    const used = process.cpuUsage(start);
    if (enabled) {
      let name = key;
      if (key === 'binary' || key === 'unary') name += `:${String(args[0])}`;
      if (key.startsWith('conv2d') || key === 'int8Conv2d') name += ` Cin=${JSON.stringify((args as Array<{ inChannels?: number }>).find((a) => a && typeof a === 'object' && 'inChannels' in a)?.inChannels)}`;
      const entry = totals.get(name) ?? { calls: 0, cpu: 0 };
      entry.calls++;
      entry.cpu += (used.user + used.system) / 1000;
      totals.set(name, entry);
    }
    return result;
  };
}
console.error(getBackendInfo());
const data = await loadFashionMnist();
const images = data.testImages.subarray(0, 256 * PIXELS_PER_IMAGE);
const implementation = await createDendriteImplementation();
const float = implementation.cnn(cnnParameters(WEIGHT_SEED), 1e-3) as Classifier;
const int8 = await implementation.int8Cnn!(cnnParameters(WEIGHT_SEED));
const rounds = Number(process.argv.find((a) => a.startsWith('--rounds='))?.slice(9) ?? 20);
for (const [name, model] of [['float32', float], ['int8', int8]] as const) {
  for (let i = 0; i < 3; i++) await model.predict(images, 256);
  totals.clear();
  enabled = true;
  const start = process.cpuUsage();
  for (let i = 0; i < rounds; i++) await model.predict(images, 256);
  const used = process.cpuUsage(start);
  enabled = false;
  console.log(`${name}: ${((used.user + used.system) / 1000 / rounds).toFixed(3)} ms CPU per batch`);
  console.table([...totals].map(([kernel, { calls, cpu }]) => ({ kernel, calls: calls / rounds, 'cpu ms': (cpu / rounds).toFixed(3) })));
}
process.exit(0);
