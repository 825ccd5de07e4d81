import { DendriteError, gather, reshape, type Tensor } from '@dendrite/core';
import { configInitializer } from './dense.js';
import { getInitializer, type Initializer, type InitializerName } from './initializers.js';
import { Layer, type LayerOptions } from './layer.js';

export interface EmbeddingOptions extends LayerOptions {
  /** Vocabulary size: ids are in [0, inputDim). */
  inputDim: number;
  /** Vector length. */
  outputDim: number;
  /** Default 'uniform' (U(-0.05, 0.05), as Keras). */
  embeddingsInitializer?: InitializerName | Initializer;
}

/**
 * A lookup table `embeddings [inputDim, outputDim]`: int32 ids [...] → vectors [..., outputDim], with
 * core's `gather`. Its gradient is a `scatterAdd` of the looked-up rows' gradients (only the rows
 * used receive anything; the result is dense [inputDim, outputDim], as PyTorch's default).
 *
 * @example
 * ```ts
 * const embed = new Embedding({ inputDim: 10_000, outputDim: 64, seed: 1 });
 * embed.apply(tensor([[4, 17, 9]], [1, 3], 'int32')); // [1, 3, 64]
 * ```
 */
export class Embedding extends Layer {
  /** The options this layer takes besides name, seed and trainable (any other is refused). */
  static override readonly optionNames: readonly string[] = ['inputDim', 'outputDim', 'embeddingsInitializer'];

  readonly inputDim: number;
  readonly outputDim: number;
  private readonly embeddingsInitializer: InitializerName | Initializer;
  embeddings!: Tensor;

  constructor(options: EmbeddingOptions) {
    super(options);
    for (const field of ['inputDim', 'outputDim'] as const) {
      if (!Number.isInteger(options?.[field]) || options[field] <= 0) throw new DendriteError(`Embedding: ${field} must be a positive integer, got ${options?.[field]}`);
    }
    this.inputDim = options.inputDim;
    this.outputDim = options.outputDim;
    this.embeddingsInitializer = options.embeddingsInitializer ?? 'uniform';
    getInitializer(this.embeddingsInitializer, 'Embedding');
    this.inputDtype = 'int32';
  }

  protected override onBuild(): void {
    this.embeddings = this.addParameter('embeddings', [this.inputDim, this.outputDim], getInitializer(this.embeddingsInitializer, 'Embedding'));
  }

  protected forward(ids: Tensor): Tensor {
    if (ids.dtype !== 'int32') throw new DendriteError(`${this.name}: ids must be int32, got ${ids.dtype} [${ids.shape.join(', ')}]`);
    // On host-memory backends the ids are checked here; a GPU backend is not read (it would stall).
    if (ids.backend.readSync) {
      const values = ids.dataSync();
      for (let i = 0; i < values.length; i++) {
        if (values[i] < 0 || values[i] >= this.inputDim) throw new DendriteError(`${this.name}: id ${values[i]} at position ${i} is outside [0, ${this.inputDim})`);
      }
    }
    const rows = gather(this.embeddings, reshape(ids, [ids.size]), 0);
    return reshape(rows, [...ids.shape, this.outputDim]);
  }

  override outputShape(inputShape: readonly number[]): number[] {
    this.build(inputShape);
    return [...inputShape, this.outputDim];
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), inputDim: this.inputDim, outputDim: this.outputDim, ...configInitializer('embeddingsInitializer', this.embeddingsInitializer) };
  }
}
