export { createGpuBackend } from './gpujs-backend.js';
export type { GpuBackend, GpuBackendOptions } from './gpujs-backend.js';
export type { GpuBackendMode } from './mode-selection.js';
export type { RunnerStats as GpuBackendStats } from './kernel-runner.js';
export type { GpuJsMode } from './gpujs-types.js';
