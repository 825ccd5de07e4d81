import { createCpuBackend } from '../cpu-backend.js';
import { runConformanceSuite } from '../../../testing/conformance.js';
import { createWasmAccelerator } from './index.js';

// The CPU backend with the wasm accelerator plugged in must agree with the TypeScript reference
// on every op and gradient (where the accelerator accepts a call, its kernels run).
runConformanceSuite({
  name: 'cpu + wasm-simd (2 threads)',
  createBackend: async () => createCpuBackend({ accelerator: await createWasmAccelerator({ threads: 2 }) }),
  finiteDifferences: true,
});
