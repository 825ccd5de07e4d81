import { runConformanceSuite } from '@dendrite/core/testing';
import { createGpuBackend } from './index.js';
import { nodeTestModes } from './test-support/headless-gl.js';

// Core's conformance suite: every op's forward values and gradients against the CPU reference,
// plus finite-difference gradient checks, with the gpu backend on each gpu.js mode that runs in
// Node here: WebAssembly, plain JavaScript ('cpu'), and headless-gl (WebGL shaders, on Mesa's
// llvmpipe under Xvfb in CI) where it is built. Chromium runs them on WebGL2/WebGL/WebGPU.
for (const mode of nodeTestModes) {
  runConformanceSuite({
    name: `gpu (gpu.js ${mode})`,
    createBackend: () => createGpuBackend({ mode }),
    finiteDifferences: true,
  });
}
