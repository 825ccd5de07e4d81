export { quantizePerChannel, type PerChannelInt8 } from './per-channel.js';
export { QuantizedDense, type QuantizedDenseOptions } from './quantized-dense.js';
export { QuantizedConv2D, type QuantizedConv2DOptions } from './quantized-conv2d.js';
export { quantizeModel, type QuantizeModelOptions } from './quantize-model.js';
