import { createCpuBackend } from '../backends/cpu/cpu-backend.js';
import { runKernelChecks } from './kernel-check-suite.js';

// The kernel checks any backend runs (the GPU backend does too), here on the plain-TypeScript CPU
// backend: its kernels must match the naive reference loops.
runKernelChecks({ name: 'cpu backend (TypeScript kernels)', createBackend: () => createCpuBackend() });
