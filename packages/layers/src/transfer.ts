// Transfer learning: freeze a trained model (or part of it), cut it at a named layer, put a new head
// on top. The cut model shares the original's layers and weights; nothing is copied.

import { DendriteError, type Tensor } from '@dendrite/core';
import { FunctionalModel } from './functional.js';
import type { AnyLayer, Layer, LayerOptions } from './layer.js';
import { Sequential } from './sequential.js';
import type { SymbolicTensor } from './symbolic.js';


/**
 * Freeze a layer and everything under it: its parameters stop requiring grad, so no gradient reaches
 * them and `parameters({ trainableOnly: true })` leaves them out. Returns the layer.
 *
 * @example
 * ```ts
 * freeze(base);
 * const optimizer = new Adam(model.parameters({ trainableOnly: true }));
 * ```
 */
export function freeze<L extends AnyLayer>(layer: L): L {
  layer.trainable = false;
  return layer;
}

/** Undo {@link freeze} (fine-tuning): the layer and everything under it train again. */
export function unfreeze<L extends AnyLayer>(layer: L): L {
  layer.trainable = true;
  return layer;
}

/**
 * The part of a model up to and including the layer named `layerName`: a Sequential of the first
 * layers, or for a functional model a model from the same inputs to that layer's output. The layers
 * (and their weights) are shared with the original.
 *
 * @example
 * ```ts
 * const features = cutModel(classifier, 'embedding');   // drops the old head
 * ```
 */
export function cutModel(model: AnyLayer, layerName: string, options: LayerOptions = {}): Sequential | FunctionalModel {
  if (model instanceof Sequential) {
    const index = model.layers.findIndex((layer) => layer.name === layerName);
    if (index < 0) throw new DendriteError(`cutModel: ${model.name} has no layer named '${layerName}' (layers: ${model.layers.map((layer) => layer.name).join(', ')})`);
    const cut = new Sequential(model.layers.slice(0, index + 1), { name: options.name ?? `${model.name}_to_${layerName}`, ...options });
    if (model.buildInputShape) cut.build(model.buildInputShape);
    return cut;
  }
  if (model instanceof FunctionalModel) {
    const inputs = model.inputs.length === 1 ? model.inputs[0] : model.inputs;
    return new FunctionalModel(inputs, model.outputOf(layerName), { name: options.name ?? `${model.name}_to_${layerName}`, ...options });
  }
  throw new DendriteError(`cutModel: expects a Sequential or functional model, got ${String(model)}`);
}

/**
 * `base` followed by new `head` layers, as one model: for a functional base with one output, a
 * functional model (same inputs); otherwise a Sequential `[base, ...head]`.
 *
 * @example
 * ```ts
 * const tuned = addHead(freeze(cutModel(pretrained, 'features')), [new Dense({ units: 3 })]);
 * ```
 */
export function addHead(base: AnyLayer, head: ReadonlyArray<Layer<Tensor, Tensor>>, options: LayerOptions = {}): Sequential | FunctionalModel {
  if (!Array.isArray(head) || head.length === 0) throw new DendriteError('addHead: head must be a non-empty list of layers');
  if (base instanceof FunctionalModel && base.outputs.length === 1) {
    let output: SymbolicTensor = base.outputs[0];
    for (const layer of head) output = layer.apply(output);
    return new FunctionalModel(base.inputs.length === 1 ? base.inputs[0] : base.inputs, output, { name: options.name ?? `${base.name}_with_head`, ...options });
  }
  const model = new Sequential([base as Layer<Tensor, Tensor>, ...head], { name: options.name ?? `${base.name}_with_head`, ...options });
  if (base.buildInputShape) model.build(base.buildInputShape);
  return model;
}
