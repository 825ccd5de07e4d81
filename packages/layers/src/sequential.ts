import { DendriteError, type Tensor } from '@dendrite/core';
import { Conv2D } from './conv2d.js';
import { Layer, type InputShape, type LayerOptions } from './layer.js';
import { Model } from './model.js';

/**
 * Layers applied one after another; they are registered under their index, so parameters are named
 * `0.kernel`, `1.bias`, … (as PyTorch's nn.Sequential). A seed on the Sequential seeds every layer
 * that has none of its own.
 *
 * @example
 * ```ts
 * const mlp = new Sequential([
 *   new Dense({ units: 128, activation: 'relu' }),
 *   new Dense({ units: 10 }),
 * ], { seed: 42 });
 * const logits = mlp.apply(images);          // builds on the first call
 * console.log(mlp.summary());
 * ```
 */
export class Sequential extends Model<Tensor, Tensor> {
  /** The options this layer takes besides name, seed and trainable (any other is refused). */
  static override readonly optionNames: readonly string[] = [];

  private readonly stack: Array<Layer<Tensor, Tensor>> = [];

  constructor(layers: ReadonlyArray<Layer<Tensor, Tensor>> = [], options: LayerOptions = {}) {
    super(options);
    if (!Array.isArray(layers)) throw new DendriteError(`Sequential: layers must be an array, got ${typeof layers}`);
    for (const layer of layers) this.add(layer);
  }

  /** Append a layer (before the model is built). */
  add(layer: Layer<Tensor, Tensor>): this {
    if (this.built) throw new DendriteError(`${this.name}.add: the model is already built; add layers before the first apply`);
    if (!(layer instanceof Layer)) throw new DendriteError(`${this.name}.add: layer ${this.stack.length} is not a Layer`);
    this.addLayer(String(this.stack.length), layer);
    this.stack.push(layer);
    return this;
  }

  /** The layers, in order. */
  get layers(): ReadonlyArray<Layer<Tensor, Tensor>> {
    return this.stack;
  }

  protected override onBuild(inputShape: InputShape): void {
    // Build with a free batch dimension, so layers that trace their output shape do it on tiny inputs.
    let shape: readonly number[] = [-1, ...(inputShape as readonly number[]).slice(1)];
    for (const layer of this.stack) {
      layer.build(shape);
      const next = layer.outputShape(shape);
      if (Array.isArray(next[0])) throw new DendriteError(`${this.name}: layer ${layer.name} returns several tensors; use the functional API`);
      shape = next as number[];
    }
  }

  protected forward(x: Tensor): Tensor {
    let value = x;
    for (let index = 0; index < this.stack.length; index++) {
      const layer = this.stack[index];
      const next = this.stack[index + 1];
      // A Conv2D and the 2x2 MaxPool2D after it run as core's fused conv2dMaxPool (same bits, a
      // cheaper gradient); nothing outside this loop sees the convolution's own output.
      if (layer instanceof Conv2D && layer.poolsWith(next)) {
        value = layer.applyPooled(value, next);
        index++;
      } else {
        value = layer.apply(value);
      }
    }
    return value;
  }

  override outputShape(inputShape: InputShape): number[] {
    this.build(inputShape);
    let shape = inputShape as readonly number[];
    for (const layer of this.stack) shape = layer.outputShape(shape) as number[];
    return [...shape];
  }
}

/**
 * A {@link Sequential} model of these layers.
 *
 * @example
 * ```ts
 * const model = sequential([new Dense({ units: 4, activation: 'tanh' }), new Dense({ units: 1 })], { seed: 1 });
 * ```
 */
export function sequential(layers: ReadonlyArray<Layer<Tensor, Tensor>>, options: LayerOptions = {}): Sequential {
  return new Sequential(layers, options);
}
