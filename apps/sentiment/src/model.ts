import { DendriteError, notEqual, type Tensor } from '@dendrite/core';
import { PAD_ID } from '@dendrite/datasets';
import { Bidirectional, Dense, Dropout, Embedding, GRU, LSTM, Layer, type InputShape, type LayerOptions, type Recurrent } from '@dendrite/layers';

/** The recurrent encoder: one LSTM, one GRU, or an LSTM in both directions. */
export type EncoderKind = 'lstm' | 'gru' | 'bilstm';
export const ENCODER_KINDS: readonly EncoderKind[] = ['lstm', 'gru', 'bilstm'];

export interface SentimentClassifierOptions extends LayerOptions {
  /** Number of token ids (the tokenizer's size, padding and OOV included). */
  vocabularySize: number;
  /** Word vector length (default 32). */
  embeddingDim?: number;
  /** Recurrent units per direction (default 32). */
  units?: number;
  /** Encoder kind (default 'lstm'). */
  encoder?: EncoderKind;
  /** Dropout rate on the word vectors and on the sentence vector, in training only (default 0.5). */
  dropout?: number;
}

/**
 * Token ids `[batch, time]` (int32, 0 = padding) → one logit per sentence `[batch, 1]` (positive above 0):
 * Embedding → Dropout → LSTM / GRU / Bidirectional LSTM → Dropout → Dense(1). The recurrent layer gets a
 * mask of the non-padding ids, so padded steps keep its state and the sentence vector is the state after
 * the last real word, whatever the padding. Sub-layers are named `embedding`, `encoder`, `head`, so a
 * pre-trained encoder's weights (`embedding.*`, `encoder.*`) load into a fresh classifier.
 *
 * @example
 * ```ts
 * const classifier = new SentimentClassifier({ vocabularySize: tokenizer.size, encoder: 'lstm', seed: 1 });
 * const logits = classifier.apply(tensor(ids, [2, 32], 'int32')); // [2, 1]
 * ```
 */
export class SentimentClassifier extends Layer {
  readonly vocabularySize: number;
  readonly embeddingDim: number;
  readonly units: number;
  readonly encoderKind: EncoderKind;
  readonly dropoutRate: number;
  readonly embedding: Embedding;
  readonly encoder: Recurrent | Bidirectional;
  readonly head: Dense;
  private readonly wordDropout: Dropout;
  private readonly sentenceDropout: Dropout;

  constructor(options: SentimentClassifierOptions) {
    super(options);
    this.vocabularySize = options.vocabularySize;
    this.embeddingDim = options.embeddingDim ?? 32;
    this.units = options.units ?? 32;
    this.encoderKind = options.encoder ?? 'lstm';
    this.dropoutRate = options.dropout ?? 0.5;
    if (!ENCODER_KINDS.includes(this.encoderKind)) {
      throw new DendriteError(`SentimentClassifier: encoder must be ${ENCODER_KINDS.join(', ')}; got ${JSON.stringify(this.encoderKind)}`);
    }
    if (!(this.dropoutRate >= 0 && this.dropoutRate < 1)) throw new DendriteError(`SentimentClassifier: dropout must be in [0, 1), got ${this.dropoutRate}`);
    this.inputDtype = 'int32';
    this.embedding = this.addLayer('embedding', new Embedding({ inputDim: this.vocabularySize, outputDim: this.embeddingDim }));
    this.wordDropout = this.addLayer('wordDropout', new Dropout({ rate: this.dropoutRate }));
    this.encoder = this.addLayer('encoder', makeEncoder(this.encoderKind, this.units));
    this.sentenceDropout = this.addLayer('sentenceDropout', new Dropout({ rate: this.dropoutRate }));
    this.head = this.addLayer('head', new Dense({ units: 1 }));
  }

  protected override onBuild(inputShape: InputShape): void {
    const shape = inputShape as readonly number[];
    if (shape.length !== 2) throw new DendriteError(`${this.name}: expects token ids [batch, time], got [${shape.join(', ')}]`);
    const [batch, time] = shape;
    this.embedding.build(shape);
    this.encoder.build([batch, time, this.embeddingDim]);
    this.head.build([batch, this.encoder instanceof Bidirectional ? 2 * this.units : this.units]);
  }

  protected forward(ids: Tensor): Tensor {
    if (ids.dtype !== 'int32' || ids.rank !== 2) {
      throw new DendriteError(`${this.name}: expects int32 token ids [batch, time], got ${ids.dtype} [${ids.shape.join(', ')}]`);
    }
    const mask = notEqual(ids, PAD_ID);
    const words = this.wordDropout.apply(this.embedding.apply(ids));
    const sentence = this.encoder.apply({ input: words, mask }) as Tensor;
    return this.head.apply(this.sentenceDropout.apply(sentence));
  }

  override outputShape(inputShape: readonly number[]): number[] {
    this.build(inputShape);
    return [inputShape[0], 1];
  }

  override getConfig(): Record<string, unknown> {
    return {
      ...super.getConfig(), vocabularySize: this.vocabularySize, embeddingDim: this.embeddingDim, units: this.units,
      encoder: this.encoderKind, dropout: this.dropoutRate,
    };
  }
}

function makeEncoder(kind: EncoderKind, units: number): Recurrent | Bidirectional {
  if (kind === 'gru') return new GRU({ units });
  if (kind === 'bilstm') return new Bidirectional({ layer: new LSTM({ units }) });
  return new LSTM({ units });
}

/** The custom layer classes `saveModel`/`loadModel` need for a sentiment model. */
export const SENTIMENT_LAYERS = { SentimentClassifier };
