// Post-training quantization of a Sequential model: Dense and Conv2D layers become their int8
// versions, every other layer is copied. Activation scales are dynamic (per row / per image), or
// calibrated: the largest |input| each quantized layer saw over a few batches, divided by 127.

import { DendriteError, max, abs, noGrad, tidy, type Tensor } from '@dendrite/core';
import { Conv2D } from '../conv2d.js';
import { Dense } from '../dense.js';
import type { Layer } from '../layer.js';
import { checkOptionNames } from '../options.js';
import { MaxPool2D } from '../pooling.js';
import { Sequential } from '../sequential.js';
import { layerFromSpec, layerToSpec, type LayerClassMap } from '../serialization/topology.js';
import { QuantizedConv2D } from './quantized-conv2d.js';
import { QuantizedDense } from './quantized-dense.js';

/** Options of {@link quantizeModel}: calibration batches for static activation scales, and which layers to quantize. */
export interface QuantizeModelOptions {
  /**
   * A few input batches: each quantized layer's activation scale becomes max|input| / 127 over them
   * (static, one scale for every row). Omitted: dynamic scales computed per row (Dense) or per
   * image (Conv2D) at run time, usually a little more accurate and a little slower.
   */
  calibration?: Iterable<Tensor>;
  /** Custom layer classes of the model, needed to copy its non-quantized layers. */
  layers?: LayerClassMap;
  /**
   * Fuse a MaxPool2D that directly follows a Conv2D (whose activation is 'linear' or 'relu') into
   * the QuantizedConv2D when its windows do not overlap (stride = pool size, 'valid' padding): the
   * integer kernel then pools the int32 sums and dequantizes a quarter of the values (2x2), with
   * the same results. The quantized model then has one layer fewer. Default true.
   */
  fusePooling?: boolean;
}

/**
 * An int8 copy of a trained Sequential model for inference: each Dense becomes a
 * {@link QuantizedDense} (WebAssembly SIMD integer kernels on the CPU backend) and each Conv2D with
 * one group a {@link QuantizedConv2D}, weights quantized per output channel (symmetric, ±127), with a
 * directly following non-overlapping MaxPool2D fused into it (`fusePooling`). Other layers are copied; the original model is left untouched. Save it with `saveModel` as usual: the
 * int8 weights are stored as safetensors I8 (about 4× smaller).
 *
 * @example
 * ```ts
 * const int8 = await quantizeModel(model, { calibration: [trainImages.slice([0, 0], [512, -1])] });
 * int8.eval();
 * const logits = int8.apply(testImages);
 * await saveModel(int8, 'mnist-int8');
 * ```
 */
export async function quantizeModel(model: Sequential, options: QuantizeModelOptions = {}): Promise<Sequential> {
  if (options === null || typeof options !== 'object') throw new DendriteError(`quantizeModel: options must be an object, got ${String(options)}`);
  checkOptionNames('quantizeModel', options, ['calibration', 'layers', 'fusePooling']);
  if (!(model instanceof Sequential)) throw new DendriteError(`quantizeModel: expects a Sequential model, got ${(model as object)?.constructor?.name ?? typeof model}`);
  if (model.buildInputShape === null) throw new DendriteError(`quantizeModel: model '${model.name}' is not built yet; apply it once first`);
  const layers = model.layers;
  const scales = options.calibration === undefined ? null : await calibrate(model, options.calibration);
  const copies: Array<Layer<Tensor, Tensor>> = [];
  try {
    for (let index = 0; index < layers.length; index++) {
      const layer = layers[index];
      const inputScale = scales === null ? 0 : scales[index];
      if (layer instanceof Dense) copies.push(await QuantizedDense.fromDense(layer, inputScale));
      else if (layer instanceof Conv2D && layer.groups === 1) {
        const pool = options.fusePooling === false ? null : fusablePool(layer, layers[index + 1]);
        copies.push(await QuantizedConv2D.fromConv2D(layer, inputScale, pool));
        if (pool !== null) index++; // the MaxPool2D is inside the QuantizedConv2D now
      } else copies.push(copyLayer(layer, options.layers));
    }
  } catch (error) {
    for (const copy of copies) copy.dispose();
    throw error;
  }
  const quantized = new Sequential(copies, { name: `${model.name}_int8` });
  quantized.build(model.buildInputShape);
  return quantized.train(model.training);
}

/** The window of a MaxPool2D `next` that a QuantizedConv2D of `conv` can fuse, or null. */
function fusablePool(conv: Conv2D, next: Layer<Tensor, Tensor> | undefined): [number, number] | null {
  if (!(next instanceof MaxPool2D) || (conv.activation !== 'relu' && conv.activation !== 'linear')) return null;
  const [height, width] = next.poolSize;
  const nonOverlapping = next.stride[0] === height && next.stride[1] === width;
  return nonOverlapping && next.padding === 'valid' ? [height, width] : null;
}

/** A layer rebuilt from its spec with a copy of its state. */
function copyLayer(layer: Layer<Tensor, Tensor>, classes: LayerClassMap = {}): Layer<Tensor, Tensor> {
  const copy = layerFromSpec(layerToSpec(layer, classes), classes, 'quantizeModel') as Layer<Tensor, Tensor>;
  if (layer.buildInputShape !== null) copy.loadStateDict(layer.stateDict(), { strict: true });
  return copy;
}

/** max|input| / 127 of every layer over the calibration batches (0 where no batch came). */
async function calibrate(model: Sequential, batches: Iterable<Tensor>): Promise<number[]> {
  const maxima = model.layers.map(() => 0);
  const wasTraining = model.training;
  model.eval();
  try {
    for (const batch of batches) {
      const observed = tidy(() => noGrad(() => {
        let x = batch;
        const values: Tensor[] = [];
        for (const layer of model.layers) {
          values.push(max(abs(x)));
          x = layer.apply(x);
        }
        return values;
      }));
      for (const [index, value] of observed.entries()) {
        maxima[index] = Math.max(maxima[index], (await value.data())[0]);
        value.dispose();
      }
    }
  } finally {
    model.train(wasTraining);
  }
  return maxima.map((maximum) => (maximum > 0 ? maximum / 127 : 0));
}
