export { createGpuBackend, detectGpuMode } from './gpujs-backend.js';
export type { GpuBackend, GpuBackendOptions } from './gpujs-backend.js';
export { useGpu, useBestBackend, registerGpuBackend, GPU_BACKEND_NAME, GPU_DEVICE_MODES } from './use-gpu.js';
export type { BestBackendOptions } from './use-gpu.js';
export type { GpuBackendMode, ModeChoice as GpuModeChoice } from './mode-selection.js';
export type { RunnerStats as GpuBackendStats } from './kernel-runner.js';
export type { GpuJsMode } from './gpujs-types.js';
