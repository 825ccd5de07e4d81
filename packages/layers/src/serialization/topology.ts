// A model's topology as versioned JSON: each layer's class (by its key in an explicit class map —
// never by registration side effects or minifiable constructor names), its config, the input shape
// it was built for, and for Sequential/functional models their layers and wiring.

import { DendriteError } from '@dendrite/core';
import { Activation, ELU, GELU, LeakyReLU, LogSoftmax, ReLU, SELU, SiLU, Sigmoid, Softmax, Softplus, Tanh } from '../activations.js';
import { MultiHeadAttention } from '../attention.js';
import { Conv1D } from '../conv1d.js';
import { Concatenate } from '../concatenate.js';
import { Conv2D, Conv2DTranspose } from '../conv2d.js';
import { CosineDense } from '../cosine-dense.js';
import { Dense } from '../dense.js';
import { Dropout } from '../dropout.js';
import { Embedding } from '../embedding.js';
import { FunctionalModel, type GraphConfig } from '../functional.js';
import type { AnyLayer, InputShape } from '../layer.js';
import { BatchNorm, LayerNorm } from '../normalization.js';
import { AvgPool2D, GlobalAvgPool2D, MaxPool2D } from '../pooling.js';
import { PositionalEmbedding } from '../positional-embedding.js';
import { QuantizedConv2D } from '../quantization/quantized-conv2d.js';
import { QuantizedDense } from '../quantization/quantized-dense.js';
import { Bidirectional } from '../recurrent/bidirectional.js';
import { GRU } from '../recurrent/gru.js';
import { LSTM } from '../recurrent/lstm.js';
import { SimpleRNN } from '../recurrent/simple-rnn.js';
import { Flatten, Reshape } from '../reshape.js';
import { Sequential } from '../sequential.js';

/** A layer class that `new Class(config)` rebuilds from its getConfig(). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type LayerClass = new (config: any) => AnyLayer;
/** Layer classes by the name the topology stores. */
export type LayerClassMap = Readonly<Record<string, LayerClass>>;

/** Every layer class of this package. User classes are passed next to these (`{ layers: { MyLayer } }`). */
export const BUILTIN_LAYERS: LayerClassMap = {
  Dense, Conv2D, Conv2DTranspose, Conv1D, MaxPool2D, AvgPool2D, GlobalAvgPool2D, Flatten, Reshape, Dropout,
  BatchNorm, LayerNorm, Embedding, Activation, ReLU, Sigmoid, Tanh, LeakyReLU, ELU, SELU, GELU, SiLU, Softplus,
  Softmax, LogSoftmax, SimpleRNN, LSTM, GRU, Bidirectional, MultiHeadAttention, PositionalEmbedding,
  QuantizedDense, QuantizedConv2D, CosineDense, Concatenate,
};

/** The version of the topology format written now; readers refuse newer ones. */
export const TOPOLOGY_VERSION = 1;
/** The `format` tag of a topology document. */
export const TOPOLOGY_FORMAT = 'dendrite.layers';

/** One layer in the topology. */
export interface LayerSpec {
  className: string;
  config: Record<string, unknown>;
  buildInputShape: InputShape | null;
  /** The layers of a Sequential (in order) or functional model. */
  layers?: LayerSpec[];
  /** A functional model's wiring. */
  graph?: GraphConfig;
}

/** A model's architecture as JSON: layer classes, configs and, for functional models, the graph. */
export interface Topology {
  format: typeof TOPOLOGY_FORMAT;
  version: number;
  model: LayerSpec;
}

function classNameOf(layer: AnyLayer, classes: LayerClassMap): string {
  // Exact class first (a subclass of Dense is not a Dense).
  for (const [name, cls] of Object.entries(classes)) if (layer.constructor === cls) return name;
  throw new DendriteError(`saveModel: layer '${layer.name}' is a ${layer.constructor.name}, which is not in the layer class map; pass it as { layers: { ${layer.constructor.name} } }`);
}

/** A config value that holds a layer (e.g. Bidirectional's `layer`) is stored as its spec. */
function isNestedLayerSpec(value: unknown): value is { className: string; config: Record<string, unknown> } {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    && typeof (value as { className?: unknown }).className === 'string' && typeof (value as { config?: unknown }).config === 'object';
}

/** The topology of a layer or model. */
export function layerToSpec(layer: AnyLayer, classes: LayerClassMap = BUILTIN_LAYERS): LayerSpec {
  const all = { ...BUILTIN_LAYERS, ...classes };
  if (layer instanceof FunctionalModel) {
    return {
      className: 'Functional', config: layer.getConfig(), buildInputShape: layer.buildInputShape,
      layers: layer.layers.map((child) => layerToSpec(child, all)), graph: layer.graphConfig(),
    };
  }
  if (layer instanceof Sequential) {
    return {
      className: 'Sequential', config: layer.getConfig(), buildInputShape: layer.buildInputShape,
      layers: layer.layers.map((child) => layerToSpec(child, all)),
    };
  }
  const config = layer.getConfig();
  // A nested layer's className from its constructor may not match the map's key; store the map's key.
  for (const [key, value] of Object.entries(config)) {
    if (isNestedLayerSpec(value)) {
      const child = layer.namedChildren().find(([, candidate]) => candidate.constructor.name === value.className)?.[1];
      if (child) config[key] = { className: classNameOf(child, all), config: value.config };
    }
  }
  return { className: classNameOf(layer, all), config, buildInputShape: layer.buildInputShape };
}

/** Rebuild a layer or model (built, with fresh weights) from its topology. */
export function layerFromSpec(spec: LayerSpec, classes: LayerClassMap, where: string): AnyLayer {
  if (typeof spec !== 'object' || spec === null || typeof spec.className !== 'string' || typeof spec.config !== 'object' || spec.config === null) {
    throw new DendriteError(`${where}: a layer entry needs a className and a config object, got ${JSON.stringify(spec)?.slice(0, 200)}`);
  }
  const all = { ...BUILTIN_LAYERS, ...classes };
  const build = (layer: AnyLayer): AnyLayer => {
    if (spec.buildInputShape) layer.build(spec.buildInputShape);
    return layer;
  };
  if (spec.className === 'Sequential' || spec.className === 'Functional') {
    if (!Array.isArray(spec.layers)) throw new DendriteError(`${where}: ${spec.className} '${String(spec.config.name)}' has no layers list`);
    const children = spec.layers.map((child) => layerFromSpec(child, classes, where));
    if (spec.className === 'Sequential') return build(new Sequential(children, spec.config));
    if (typeof spec.graph !== 'object' || spec.graph === null) throw new DendriteError(`${where}: functional model '${String(spec.config.name)}' has no graph`);
    return FunctionalModel.fromGraph(spec.graph, new Map(children.map((child) => [child.name, child])), spec.config);
  }
  const cls = Object.prototype.hasOwnProperty.call(all, spec.className) ? all[spec.className] : undefined;
  if (!cls) {
    throw new DendriteError(`${where}: unknown layer class '${spec.className}'; pass custom classes as { layers: { ${spec.className} } } (known: ${Object.keys(all).join(', ')})`);
  }
  const config: Record<string, unknown> = { ...spec.config };
  for (const [key, value] of Object.entries(config)) {
    if (isNestedLayerSpec(value)) config[key] = layerFromSpec({ ...value, buildInputShape: null }, classes, where);
  }
  try {
    return build(new cls(config));
  } catch (error) {
    throw new DendriteError(`${where}: cannot rebuild layer '${String(spec.config.name)}' (${spec.className}): ${(error as Error).message}`);
  }
}

/** The versioned topology document of a model. */
export function modelTopology(layer: AnyLayer, classes: LayerClassMap = {}): Topology {
  return { format: TOPOLOGY_FORMAT, version: TOPOLOGY_VERSION, model: layerToSpec(layer, classes) };
}

/** Check a parsed topology document and rebuild its model. */
export function modelFromTopology(document: unknown, classes: LayerClassMap, where: string): AnyLayer {
  const topology = document as Partial<Topology> | null;
  if (typeof topology !== 'object' || topology === null || topology.format !== TOPOLOGY_FORMAT) {
    throw new DendriteError(`${where}: not a Dendrite model topology (format must be '${TOPOLOGY_FORMAT}')`);
  }
  if (!Number.isInteger(topology.version) || topology.version! < 1 || topology.version! > TOPOLOGY_VERSION) {
    throw new DendriteError(`${where}: topology version ${String(topology.version)} is not supported (this reader knows 1 to ${TOPOLOGY_VERSION})`);
  }
  return layerFromSpec(topology.model as LayerSpec, classes, where);
}
