// @dendrite/layers: layers and models built on @dendrite/core's functional ops.

// ---- layers-base: the Layer base, models, standard layers, initializers, save/load ----
export { Layer, type AnyLayer, type LayerOptions, type InputShape, type SymbolicOf } from './layer.js';
export { checkOptionNames } from './options.js';
export { SymbolicTensor, input, type SymbolicDType, type SymbolicNode } from './symbolic.js';
export { Model, type TensorOrList } from './model.js';
export { Sequential, sequential } from './sequential.js';
export { FunctionalModel, model, type GraphConfig, type GraphRef } from './functional.js';
export { summary, summaryRows, type SummaryRow } from './summary.js';
export { Dense, type DenseOptions } from './dense.js';
export { CosineDense, type CosineDenseOptions } from './cosine-dense.js';
export {
  Activation, ReLU, Sigmoid, Tanh, LeakyReLU, ELU, SELU, GELU, SiLU, Softplus, Softmax, LogSoftmax,
  getActivation, isFusedActivation, type ActivationName,
} from './activations.js';
export * as initializers from './initializers.js';
export { type Initializer, type InitializerName, getInitializer, fans } from './initializers.js';
export { Conv2D, Conv2DTranspose, type Conv2DOptions, type Conv2DTransposeOptions } from './conv2d.js';
export { MaxPool2D, AvgPool2D, GlobalAvgPool2D, type Pool2DLayerOptions } from './pooling.js';
export { Flatten, Reshape } from './reshape.js';
export { Concatenate, type ConcatenateOptions } from './concatenate.js';
export { Dropout } from './dropout.js';
export { BatchNorm, LayerNorm, type BatchNormOptions, type LayerNormOptions } from './normalization.js';
export { Embedding, type EmbeddingOptions } from './embedding.js';
export {
  modelToBytes, modelFromBytes, encodeWeights, loadWeights, TOPOLOGY_METADATA_KEY, DEFAULT_MAX_BYTES,
  type SaveOptions, type LoadOptions,
} from './serialization/bytes.js';
export {
  BUILTIN_LAYERS, TOPOLOGY_VERSION, TOPOLOGY_FORMAT, modelTopology, modelFromTopology, layerToSpec, layerFromSpec,
  type LayerClass, type LayerClassMap, type LayerSpec, type Topology,
} from './serialization/topology.js';
export { freeze, unfreeze, cutModel, addHead } from './transfer.js';
// ---- end layers-base ----

// ---- layers-seq: recurrent, attention, Conv1D, PyTorch interop ----
export { SimpleRNN } from './recurrent/simple-rnn.js';
export { LSTM, type LSTMOptions } from './recurrent/lstm.js';
export { GRU } from './recurrent/gru.js';
export type { RecurrentCell, RecurrentWeights } from './recurrent/cells.js';
export type { RecurrentResult } from './recurrent/run.js';
export { Bidirectional, type BidirectionalOptions, type MergeMode } from './recurrent/bidirectional.js';
export {
  Recurrent, type RecurrentOptions, type GatedRecurrentOptions, type RecurrentInput, type RecurrentOutput,
} from './recurrent/recurrent.js';
export { Conv1D, type Conv1DOptions } from './conv1d.js';
export { MultiHeadAttention, type MultiHeadAttentionOptions, type AttentionInput } from './attention.js';
export type { AttentionMasks } from './attention-scores.js';
export { PositionalEmbedding, sinusoidalTable, type PositionalEmbeddingOptions } from './positional-embedding.js';
export { loadPyTorchStateDict, pytorchStateDict } from './pytorch.js';
// ---- end layers-seq ----

// ---- efficiency: int8 quantization, pruning ----
export {
  quantizeModel, QuantizedDense, QuantizedConv2D, quantizePerChannel,
  type QuantizeModelOptions, type QuantizedDenseOptions, type QuantizedConv2DOptions, type PerChannelInt8,
} from './quantization/index.js';
export { MagnitudePruning, kernelSparsity, prunableKernels, type MagnitudePruningOptions } from './pruning.js';
// ---- end efficiency ----
