import { createCpuBackend } from '../cpu-backend.js';
import { runConformanceSuite } from '../../../testing/conformance.js';
import { createWasmAccelerator, type WasmInstructionSet } from './index.js';

// The CPU backend with the wasm accelerator plugged in must agree with the TypeScript reference
// on every op and gradient (where the accelerator accepts a call, its kernels run), with either
// kernel build: SIMD128, and relaxed SIMD (fused multiply-adds in matmul and conv; on Node 20 the
// vitest config gives the workers --experimental-wasm-relaxed-simd).
for (const instructionSet of ['simd128', 'relaxed-simd'] satisfies WasmInstructionSet[]) {
  runConformanceSuite({
    name: `cpu + wasm-simd, ${instructionSet} kernels (2 threads)`,
    createBackend: async () => createCpuBackend({ accelerator: await createWasmAccelerator({ threads: 2, instructionSet }) }),
    finiteDifferences: true,
  });
}
