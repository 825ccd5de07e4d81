// @dendrite/core/backend: what a backend author (or a tool that drives the engine) needs — the
// `Backend`/`Kernels` interface and its info types, the engine class and the process-wide engine, and
// the CPU backend's building blocks. Users of tensors and ops never need this entry.
export * from './backend.js';
export { Engine, engine, type BackendFactory, type MultiOpSpec, type OpSpec } from '../engine.js';
export { createCpuBackend, type CpuBackend, type CpuBackendOptions } from '../backends/cpu/cpu-backend.js';
export { createDefaultCpuBackend } from '../backends/cpu/default-cpu-backend.js';
export {
  createWasmAccelerator, WasmKernelError, type WasmAccelerator, type WasmAcceleratorOptions, type WasmHeapDebugOptions,
  hostSupportsRelaxedSimd, type WasmInstructionSet, type WasmInstructionSetChoice,
} from '../backends/cpu/wasm/index.js';
export type { CpuAccelerator } from '../backends/cpu/accelerator.js';
