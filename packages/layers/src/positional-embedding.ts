import { DendriteError, add, formatShape, keep, reshape, slice, tensor, type Tensor } from '@dendrite/core';
import { configInitializer } from './dense.js';
import { getInitializer, uniform, type Initializer, type InitializerName } from './initializers.js';
import { Layer, type InputShape, type LayerOptions } from './layer.js';

export interface PositionalEmbeddingOptions extends LayerOptions {
  /** The longest sequence the layer accepts. */
  maxLength: number;
  /** 'learned' (default): a trained [maxLength, features] table; 'sinusoidal': Vaswani et al.'s fixed one. */
  kind?: 'learned' | 'sinusoidal';
  /** For 'learned' (default: uniform in ±0.05, as Keras's Embedding). */
  embeddingsInitializer?: InitializerName | Initializer;
}

/**
 * Adds a position signal to a sequence of vectors [batch, length, features], so attention (which
 * is order-blind) sees order: x + table[0..length). 'learned' trains `embeddings [maxLength,
 * features]` (PyTorch: an nn.Embedding's `weight`); 'sinusoidal' uses PE[p, 2i] = sin(p / 10000^(2i/d)),
 * PE[p, 2i+1] = cos(p / 10000^(2i/d)) and has no parameters.
 *
 * @example
 * ```ts
 * const positions = new PositionalEmbedding({ maxLength: 128, kind: 'sinusoidal' });
 * const withPositions = positions.apply(tokenVectors);   // same shape
 * ```
 */
export class PositionalEmbedding extends Layer {
  /** The options this layer takes besides name, seed and trainable (any other is refused). */
  static override readonly optionNames: readonly string[] = ['maxLength', 'kind', 'embeddingsInitializer'];

  readonly maxLength: number;
  readonly kind: 'learned' | 'sinusoidal';
  private readonly embeddingsInitializer: InitializerName | Initializer;
  /** The learned table, or the fixed sinusoidal one (not a parameter, not in stateDict). */
  embeddings!: Tensor;

  constructor(options: PositionalEmbeddingOptions) {
    super(options);
    if (!Number.isInteger(options?.maxLength) || options.maxLength <= 0) {
      throw new DendriteError(`PositionalEmbedding: maxLength must be a positive integer, got ${options?.maxLength}`);
    }
    this.maxLength = options.maxLength;
    this.kind = options.kind ?? 'learned';
    if (this.kind !== 'learned' && this.kind !== 'sinusoidal') {
      throw new DendriteError(`PositionalEmbedding: kind must be 'learned' or 'sinusoidal', got ${JSON.stringify(options.kind)}`);
    }
    this.embeddingsInitializer = options.embeddingsInitializer ?? uniform(0.05);
    getInitializer(this.embeddingsInitializer, 'PositionalEmbedding');
  }

  protected override onBuild(inputShape: InputShape): void {
    const shape = inputShape as readonly number[];
    const features = shape[2];
    if (shape.length !== 3 || !Number.isInteger(features) || features <= 0) {
      throw new DendriteError(`${this.name}: PositionalEmbedding needs inputs [batch, length, features] with known features, got [${shape.join(', ')}]`);
    }
    this.embeddings = this.kind === 'learned'
      ? this.addParameter('embeddings', [this.maxLength, features], getInitializer(this.embeddingsInitializer, 'PositionalEmbedding'))
      : keep(tensor(sinusoidalTable(this.maxLength, features), [this.maxLength, features]));
  }

  protected forward(x: Tensor): Tensor {
    const features = this.embeddings.shape[1];
    if (x.rank !== 3 || x.shape[2] !== features || x.shape[1] > this.maxLength) {
      throw new DendriteError(`${this.name}: expected inputs [batch, length <= ${this.maxLength}, ${features}], got ${formatShape(x.shape)}`);
    }
    const length = x.shape[1];
    return add(x, reshape(slice(this.embeddings, [0, 0], [length, features]), [1, length, features]));
  }

  override outputShape(inputShape: InputShape): number[] {
    this.build(inputShape);
    return [...(inputShape as readonly number[])];
  }

  override getConfig(): Record<string, unknown> {
    return {
      ...super.getConfig(), maxLength: this.maxLength, kind: this.kind,
      ...configInitializer('embeddingsInitializer', this.embeddingsInitializer),
    };
  }

  override dispose(): void {
    if (this.kind === 'sinusoidal' && this.embeddings) this.embeddings.dispose();
    super.dispose();
  }
}

/**
 * Vaswani et al.'s table [maxLength, features], row-major, computed in float64 on the host.
 *
 * @example
 * ```ts
 * const table = tensor(sinusoidalTable(128, 64), [128, 64]);   // PE[p, 2i] = sin(p / 10000^(2i/64)), …
 * ```
 */
export function sinusoidalTable(maxLength: number, features: number): Float32Array {
  const values = new Float32Array(maxLength * features);
  for (let position = 0; position < maxLength; position++) {
    for (let i = 0; i < features; i++) {
      const frequency = Math.pow(10000, -(i - (i % 2)) / features);
      values[position * features + i] = i % 2 === 0 ? Math.sin(position * frequency) : Math.cos(position * frequency);
    }
  }
  return values;
}
