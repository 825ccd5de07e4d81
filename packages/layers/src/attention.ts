import { DendriteError, Tensor, formatShape, linear, reshape } from '@dendrite/core';
import { maskBias, scaledDotProductAttention, splitHeads, type AttentionMasks } from './attention-scores.js';
import { configInitializer } from './dense.js';
import { getInitializer, type Initializer, type InitializerName } from './initializers.js';
import { Layer, type InputShape, type LayerOptions } from './layer.js';
import { booleanOption } from './options.js';

export interface MultiHeadAttentionOptions extends LayerOptions {
  numHeads: number;
  /** Size of each head's queries and keys; default: the query's features / numHeads (PyTorch's head_dim). */
  keyDim?: number;
  /** Size of each head's values; default keyDim. */
  valueDim?: number;
  /** Output features; default the query's features. */
  outputDim?: number;
  /** Biases on the four projections (default true). */
  useBias?: boolean;
  /** Dropout on the attention weights in training mode (default 0). */
  dropout?: number;
  /** Apply a causal mask on every call (default false; a call can also ask for one). */
  causal?: boolean;
  /** Default 'glorotUniform'. */
  kernelInitializer?: InitializerName | Initializer;
  /** Default 'zeros'. */
  biasInitializer?: InitializerName | Initializer;
}

/** MultiHeadAttention's input: a tensor attends to itself; otherwise query with key and value. */
export interface AttentionInput extends AttentionMasks {
  /** [batch, queryLength, queryFeatures]. */
  query: Tensor;
  /** [batch, keyLength, keyFeatures]; default `value`, else `query`. */
  key?: Tensor;
  /** [batch, keyLength, valueFeatures]; default `key`, else `query`. */
  value?: Tensor;
}

/**
 * Multi-head scaled dot-product attention (Vaswani et al.) with query, key, value and output
 * projections: softmax(q·kᵀ/√keyDim + masks)·v per head, heads concatenated, then projected. Numerics
 * match `torch.nn.MultiheadAttention(batch_first=True)`; its weights load with loadPyTorchStateDict.
 * Masks: `keyMask [batch, keyLength]` (1 = token, 0 = padding), `attentionMask`
 * ([queryLength, keyLength] or [batch, queryLength, keyLength], 1 = may attend) and `causal`. A query
 * row with every key masked gets uniform weights (PyTorch gives NaN there).
 *
 * Parameters: `queryKernel [queryFeatures, heads·keyDim]`, `keyKernel`, `valueKernel
 * [valueFeatures, heads·valueDim]`, `outputKernel [heads·valueDim, outputDim]`, and biases.
 *
 * @example
 * ```ts
 * const attention = new MultiHeadAttention({ numHeads: 4, seed: 1 });
 * const encoded = attention.apply({ query: tokens, keyMask: paddingMask, causal: true }); // [batch, length, features]
 * const translated = attention2.apply({ query: decoded, key: encoded, value: encoded });
 * ```
 */
export class MultiHeadAttention extends Layer<Tensor | readonly Tensor[] | AttentionInput, Tensor> {
  /** The options this layer takes besides name, seed and trainable (any other is refused). */
  static override readonly optionNames: readonly string[] = ['numHeads', 'keyDim', 'valueDim', 'outputDim', 'useBias', 'dropout', 'causal', 'kernelInitializer', 'biasInitializer'];

  readonly numHeads: number;
  readonly dropout: number;
  readonly causal: boolean;
  readonly useBias: boolean;
  private readonly requestedKeyDim: number | undefined;
  private readonly requestedValueDim: number | undefined;
  private readonly requestedOutputDim: number | undefined;
  private readonly kernelInitializer: InitializerName | Initializer;
  private readonly biasInitializer: InitializerName | Initializer;
  queryKernel!: Tensor;
  keyKernel!: Tensor;
  valueKernel!: Tensor;
  outputKernel!: Tensor;
  queryBias: Tensor | null = null;
  keyBias: Tensor | null = null;
  valueBias: Tensor | null = null;
  outputBias: Tensor | null = null;

  constructor(options: MultiHeadAttentionOptions) {
    super(options);
    const positive = (value: unknown) => value === undefined || (Number.isInteger(value) && (value as number) > 0);
    if (!Number.isInteger(options?.numHeads) || options.numHeads <= 0) {
      throw new DendriteError(`MultiHeadAttention: numHeads must be a positive integer, got ${options?.numHeads}`);
    }
    for (const key of ['keyDim', 'valueDim', 'outputDim'] as const) {
      if (!positive(options[key])) throw new DendriteError(`MultiHeadAttention: ${key} must be a positive integer, got ${options[key]}`);
    }
    this.dropout = options.dropout ?? 0;
    if (typeof this.dropout !== 'number' || !(this.dropout >= 0 && this.dropout < 1)) throw new DendriteError(`MultiHeadAttention: dropout must be in [0, 1), got ${options.dropout}`);
    this.numHeads = options.numHeads;
    this.requestedKeyDim = options.keyDim;
    this.requestedValueDim = options.valueDim;
    this.requestedOutputDim = options.outputDim;
    this.causal = booleanOption(options.causal, 'MultiHeadAttention', 'causal', false);
    this.useBias = booleanOption(options.useBias, 'MultiHeadAttention', 'useBias', true);
    this.kernelInitializer = options.kernelInitializer ?? 'glorotUniform';
    this.biasInitializer = options.biasInitializer ?? 'zeros';
    getInitializer(this.kernelInitializer, 'MultiHeadAttention');
    getInitializer(this.biasInitializer, 'MultiHeadAttention');
  }

  /** Per-head query/key size (known once built). */
  get keyDim(): number {
    return this.queryKernel.shape[1] / this.numHeads;
  }

  /** Per-head value size (known once built). */
  get valueDim(): number {
    return this.valueKernel.shape[1] / this.numHeads;
  }

  /** Shapes [query, key, value] for `build`; a single shape means self-attention. */
  protected override inputShapeOf(input: Tensor | readonly Tensor[] | AttentionInput): InputShape {
    const { query, key, value } = this.resolve(input);
    return [query.shape, key.shape, value.shape];
  }

  protected override onBuild(inputShape: InputShape): void {
    const shapes = (Array.isArray(inputShape[0]) ? inputShape : [inputShape, inputShape, inputShape]) as readonly (readonly number[])[];
    if (shapes.length !== 3 || shapes.some((shape) => shape.length !== 3 || !(shape[2] > 0))) {
      throw new DendriteError(`${this.name}: MultiHeadAttention builds from [query, key, value] shapes [batch, length, features], got ${JSON.stringify(inputShape)}`);
    }
    const [queryFeatures, keyFeatures, valueFeatures] = shapes.map((shape) => shape[2]);
    const keyDim = this.requestedKeyDim ?? queryFeatures / this.numHeads;
    if (!Number.isInteger(keyDim)) {
      throw new DendriteError(`${this.name}: query features ${queryFeatures} do not split into ${this.numHeads} heads; give keyDim`);
    }
    const valueDim = this.requestedValueDim ?? keyDim;
    const outputDim = this.requestedOutputDim ?? queryFeatures;
    const kernel = getInitializer(this.kernelInitializer, 'MultiHeadAttention');
    const bias = getInitializer(this.biasInitializer, 'MultiHeadAttention');
    const heads = this.numHeads;
    this.queryKernel = this.addParameter('queryKernel', [queryFeatures, heads * keyDim], kernel);
    this.keyKernel = this.addParameter('keyKernel', [keyFeatures, heads * keyDim], kernel);
    this.valueKernel = this.addParameter('valueKernel', [valueFeatures, heads * valueDim], kernel);
    this.outputKernel = this.addParameter('outputKernel', [heads * valueDim, outputDim], kernel);
    if (this.useBias) {
      this.queryBias = this.addParameter('queryBias', [heads * keyDim], bias);
      this.keyBias = this.addParameter('keyBias', [heads * keyDim], bias);
      this.valueBias = this.addParameter('valueBias', [heads * valueDim], bias);
      this.outputBias = this.addParameter('outputBias', [outputDim], bias);
    }
  }

  protected forward(input: Tensor | readonly Tensor[] | AttentionInput): Tensor {
    const { query, key, value } = this.resolve(input);
    const masks: AttentionMasks = input instanceof Tensor || Array.isArray(input) ? {} : input as AttentionInput;
    const [batch, queryLength] = query.shape;
    const keyLength = key.shape[1];
    const check = (name: string, x: Tensor, kernel: Tensor) => {
      if (x.rank !== 3 || x.shape[0] !== batch || x.shape[2] !== kernel.shape[0]) {
        throw new DendriteError(`${this.name}: ${name} must be [${batch}, length, ${kernel.shape[0]}], got ${formatShape(x.shape)}`);
      }
    };
    check('query', query, this.queryKernel);
    check('key', key, this.keyKernel);
    check('value', value, this.valueKernel);
    if (value.shape[1] !== keyLength) throw new DendriteError(`${this.name}: key length ${keyLength} differs from value length ${value.shape[1]}`);
    const project = (x: Tensor, kernel: Tensor, bias: Tensor | null) =>
      reshape(linear(reshape(x, [-1, x.shape[2]]), kernel, { bias }), [batch, x.shape[1], kernel.shape[1]]);
    const q = splitHeads(project(query, this.queryKernel, this.queryBias), this.numHeads);
    const k = splitHeads(project(key, this.keyKernel, this.keyBias), this.numHeads);
    const v = splitHeads(project(value, this.valueKernel, this.valueBias), this.numHeads);
    const bias = maskBias(this.name, batch, queryLength, keyLength, { ...masks, causal: masks.causal ?? this.causal });
    const dropout = this.training && this.dropout > 0 ? { rate: this.dropout, seed: this.random.nextUint32() } : null;
    const context = scaledDotProductAttention(q, k, v, bias, dropout);
    const output = linear(reshape(context, [batch * queryLength, context.shape[2]]), this.outputKernel, { bias: this.outputBias });
    return reshape(output, [batch, queryLength, this.outputKernel.shape[1]]);
  }

  private resolve(input: Tensor | readonly Tensor[] | AttentionInput): { query: Tensor; key: Tensor; value: Tensor } {
    if (input instanceof Tensor) return { query: input, key: input, value: input };
    // A list [query, key?, value?], as a functional graph passes several inputs.
    if (Array.isArray(input) && input.length >= 1 && input.length <= 3 && input.every((x) => x instanceof Tensor)) {
      const [query, key = query, value = key] = input as readonly Tensor[];
      return { query, key, value };
    }
    if (!((input as AttentionInput)?.query instanceof Tensor)) {
      throw new DendriteError(`${this.name}: input must be a tensor (self-attention) or { query, key?, value?, keyMask?, attentionMask?, causal? }`);
    }
    const given = input as AttentionInput;
    const { query, key = given.value ?? query, value = key } = given;
    return { query, key, value };
  }

  override outputShape(inputShape: InputShape): number[] {
    this.build(inputShape);
    const query = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as readonly number[];
    return [query[0], query[1], this.outputKernel.shape[1]];
  }

  override getConfig(): Record<string, unknown> {
    const config: Record<string, unknown> = {
      ...super.getConfig(), numHeads: this.numHeads, dropout: this.dropout, causal: this.causal, useBias: this.useBias,
      ...configInitializer('kernelInitializer', this.kernelInitializer),
      ...configInitializer('biasInitializer', this.biasInitializer),
    };
    if (this.requestedKeyDim !== undefined) config.keyDim = this.requestedKeyDim;
    if (this.requestedValueDim !== undefined) config.valueDim = this.requestedValueDim;
    if (this.requestedOutputDim !== undefined) config.outputDim = this.requestedOutputDim;
    return config;
  }
}
