import { runConformanceSuite } from '../testing/conformance.js';
import { createCpuBackend } from '../backends/cpu/cpu-backend.js';

// The reference backend against itself proves the harness runs every case; the finite-difference
// checks prove every gradient rule.
runConformanceSuite({ name: 'cpu (TypeScript reference)', createBackend: () => createCpuBackend(), finiteDifferences: true });
