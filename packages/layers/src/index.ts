// @dendrite/layers: layers and models built on @dendrite/core's functional ops.

// ---- layers-base: the Layer base, models, standard layers, initializers, save/load ----
export { Layer, type LayerOptions, type InputShape, type SymbolicOf } from './layer.js';
export { SymbolicTensor, input, type SymbolicDType, type SymbolicNode } from './symbolic.js';
export { Model, type TensorOrList } from './model.js';
export { Sequential, sequential } from './sequential.js';
export { summary, summaryRows, type SummaryRow } from './summary.js';
export { Dense, type DenseOptions } from './dense.js';
export {
  Activation, ReLU, Sigmoid, Tanh, LeakyReLU, ELU, SELU, GELU, SiLU, Softplus, Softmax, LogSoftmax,
  getActivation, isFusedActivation, type ActivationName,
} from './activations.js';
export * as initializers from './initializers.js';
export { type Initializer, type InitializerName, getInitializer, fans } from './initializers.js';
// ---- end layers-base ----
