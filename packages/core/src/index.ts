// @dendrite/core: tensors, ops with their gradients, autograd and choosing a backend.
// Backend authors: '@dendrite/core/backend' (the Backend interface, Engine, the CPU backend's parts);
// tests: '@dendrite/core/testing' (conformance suite, kernel checks, gradCheck).

export type { Backend, BackendInfo, DType, FusedActivation, TypedArray } from './backend/backend.js';
export { Tensor, type GradGroup, type GradNode, type NestedArray } from './tensor.js';
export {
  tidy, keep, noGrad, memory, setBackend, registerBackend, getBackend, getBackendInfo, ready,
  DEFAULT_MAX_TENSOR_BYTES, type BackendFactory,
} from './engine.js';
export { DendriteError } from './errors.js';
export { sizeOf, stridesOf, broadcastShapes, formatShape, type Shape } from './shape.js';
export { RandomGenerator, setSeed } from './random.js';
export { WasmKernelError } from './backends/cpu/wasm/kernel-error.js';

export { backward, gradients, type BackwardOptions } from './autograd/backward.js';
export { grad, valueAndGrad, variable, variableGrads, type GradOptions, type ValueAuxAndGrads } from './autograd/grad.js';

export * from './ops/index.js';

export {
  encodeSafetensors, decodeSafetensors, encodeSafetensorsHost, decodeSafetensorsHost, SAFETENSORS_MAX_HEADER_BYTES,
  type HostTensor, type DecodedHostTensor, type SafetensorsDType, type EncodeSafetensorsOptions, type DecodeSafetensorsOptions,
} from './io/safetensors.js';
