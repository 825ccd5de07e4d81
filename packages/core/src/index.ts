// @dendrite/core: tensors, ops with their gradients, autograd, the backend interface and the CPU backend.

export * from './backend/backend.js';
export { Tensor, type GradNode, type NestedArray } from './tensor.js';
export {
  Engine, engine, tidy, keep, noGrad, memory, setBackend, registerBackend, getBackend, getBackendInfo, ready,
  type BackendFactory, type OpSpec,
} from './engine.js';
export { DendriteError } from './errors.js';
export { sizeOf, stridesOf, broadcastShapes, formatShape, type Shape } from './shape.js';
export { RandomGenerator, setSeed } from './random.js';
export { createCpuBackend, type CpuBackend, type CpuBackendOptions } from './backends/cpu/cpu-backend.js';
export { createDefaultCpuBackend } from './backends/cpu/default-cpu-backend.js';
export { createWasmAccelerator, type WasmAcceleratorOptions } from './backends/cpu/wasm/index.js';
export type { CpuAccelerator } from './backends/cpu/accelerator.js';

export { backward, gradients } from './autograd/backward.js';
export { grad, valueAndGrad, variable, variableGrads } from './autograd/grad.js';

export * from './ops/index.js';

export {
  encodeSafetensors, decodeSafetensors, encodeSafetensorsHost, decodeSafetensorsHost, SAFETENSORS_MAX_HEADER_BYTES,
  type HostTensor, type DecodedHostTensor, type SafetensorsDType, type EncodeSafetensorsOptions, type DecodeSafetensorsOptions,
} from './io/safetensors.js';
