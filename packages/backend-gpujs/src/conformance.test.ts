import { runConformanceSuite } from '@dendrite/core/testing';
import { createGpuBackend } from './index.js';

// Core's conformance suite: every op's forward values and gradients against the CPU reference,
// plus finite-difference gradient checks, with the gpu backend on gpu.js's WebAssembly mode.
runConformanceSuite({
  name: 'gpu (gpu.js webasm)',
  createBackend: () => createGpuBackend({ mode: 'webasm' }),
  finiteDifferences: true,
});
