import { runConformanceSuite } from '../testing/conformance.js';
import { createCpuBackend } from '../backends/cpu/cpu-backend.js';

// The reference backend against itself proves the harness runs every case; the finite-difference
// checks prove every gradient rule.
runConformanceSuite({ name: 'cpu (TypeScript reference)', createBackend: () => createCpuBackend(), finiteDifferences: true });

// The reference without its optional fused kernels: linear, softmaxCrossEntropy, adamUpdate and adamUpdateRows then
// run as composed ops, and their values and gradients must match the fused kernels of the reference.
runConformanceSuite({
  name: 'cpu without fused kernels (composed ops)',
  createBackend: () => ({ ...createCpuBackend(), fusedMatmul: undefined, softmaxCrossEntropy: undefined, adamUpdate: undefined, adamUpdateRows: undefined, adamUpdateRowsInPlace: undefined }),
});
