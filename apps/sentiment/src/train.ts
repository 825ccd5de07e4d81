import { noGrad, sigmoidCrossEntropy, tensor, tidy, type Tensor } from '@dendrite/core';
import { Tokenizer, type SentimentData } from '@dendrite/datasets';
import { Adam } from '@dendrite/optimizers';
import { Accuracy, EarlyStopping, Trainer, type Callback, type History } from '@dendrite/training';
import { encodeSentences, splitSentences, SOURCES, type LabelledSentences } from './data.js';
import { SentimentClassifier, type EncoderKind } from './model.js';
import type { SentimentModel } from './store.js';

/** The recipe; the defaults are the one `pnpm sentiment train` runs (README: epochs, time, accuracy). */
export interface TrainOptions {
  encoder?: EncoderKind;
  /** Most epochs (default 10); early stopping on a validation tenth of the training part ends sooner. */
  epochs?: number;
  batchSize?: number;
  learningRate?: number;
  embeddingDim?: number;
  units?: number;
  dropout?: number;
  /** Tokens kept per sentence (default 40: over 99% of the sentences fit whole). */
  maxLength?: number;
  /** Words seen fewer times in the training text become OOV (default 2). */
  minCount?: number;
  /** Train only on sentences of these sources (default all three); the held-out part is narrowed the same way. */
  sources?: readonly string[];
  /** Start the embedding and encoder from this model (its tokenizer is reused, so the word ids line up). */
  initFrom?: SentimentModel;
  /** Early-stopping patience in epochs (default 3; 0 turns early stopping off). */
  patience?: number;
  seed?: number;
  callbacks?: Callback[];
}

export interface TrainResult extends SentimentModel {
  history: History;
  /** Accuracy on the held-out part (narrowed to `sources`). */
  heldOutAccuracy: number;
  heldOutCount: number;
  /** Training sentences, the validation tenth included. */
  trainCount: number;
  /** The settings used (defaults filled in). */
  recipe: typeof DEFAULT_RECIPE;
  seconds: number;
}

export const DEFAULT_RECIPE = {
  encoder: 'lstm' as EncoderKind, epochs: 10, batchSize: 32, learningRate: 2e-3, embeddingDim: 32, units: 32,
  dropout: 0.5, maxLength: 40, minCount: 2, patience: 3, seed: 1,
};

/**
 * Trains a sentiment classifier on the training part of the seeded split: the tokenizer's vocabulary comes
 * from the training sentences of all three sources (text only, never held-out text), the model from the
 * training sentences of `sources`, with a validation tenth of them for early stopping. The held-out part
 * is only read for the final accuracy.
 *
 * @example
 * ```ts
 * const result = await trainSentiment(await loadSentences(locateData(undefined)), { encoder: 'gru' });
 * console.log(result.heldOutAccuracy);
 * ```
 */
export async function trainSentiment(data: SentimentData, options: TrainOptions = {}): Promise<TrainResult> {
  const recipe = { ...DEFAULT_RECIPE, ...definedOnly(options) };
  const start = performance.now();
  const everything = splitSentences(data, SOURCES);
  const { train, heldOut } = splitSentences(data, recipe.sources ?? SOURCES);
  const tokenizer = options.initFrom?.tokenizer
    ?? Tokenizer.fit(everything.train.texts, { minCount: recipe.minCount, maxLength: recipe.maxLength });
  const model = options.initFrom
    ? initialisedFrom(options.initFrom.model, tokenizer.maxLength, recipe.seed)
    : new SentimentClassifier({
      vocabularySize: tokenizer.size, embeddingDim: recipe.embeddingDim, units: recipe.units,
      encoder: recipe.encoder, dropout: recipe.dropout, seed: recipe.seed,
    });
  model.build([-1, tokenizer.maxLength]);

  const trainer = new Trainer(model, {
    optimizer: new Adam(model.parameters(), { learningRate: recipe.learningRate }),
    loss: sigmoidCrossEntropy,
    metrics: [new Accuracy({ threshold: 0 })],
  });
  const callbacks = [...(options.callbacks ?? [])];
  if (recipe.patience > 0) callbacks.push(new EarlyStopping({ monitor: 'val_accuracy', patience: recipe.patience, restoreBestWeights: true }));
  const history = await trainer.fit(encodeSentences(tokenizer, train), {
    epochs: recipe.epochs, batchSize: recipe.batchSize, seed: recipe.seed, validationSplit: 0.1, callbacks,
  });
  const heldOutAccuracy = accuracyOn(model, tokenizer, heldOut);
  return {
    model, tokenizer, history, heldOutAccuracy, heldOutCount: heldOut.texts.length, trainCount: train.texts.length,
    recipe: {
      encoder: model.encoderKind, epochs: recipe.epochs, batchSize: recipe.batchSize, learningRate: recipe.learningRate,
      embeddingDim: model.embeddingDim, units: model.units, dropout: model.dropoutRate, maxLength: tokenizer.maxLength,
      minCount: recipe.minCount, patience: recipe.patience, seed: recipe.seed,
    },
    seconds: (performance.now() - start) / 1000,
  };
}

/**
 * A fresh classifier of the pre-trained one's shape holding copies of its embedding and encoder weights;
 * the head starts from new weights (seeded by `seed`), as the new task's output is learned anew.
 */
export function initialisedFrom(pretrained: SentimentClassifier, maxLength: number, seed: number): SentimentClassifier {
  const model = new SentimentClassifier({
    vocabularySize: pretrained.vocabularySize, embeddingDim: pretrained.embeddingDim, units: pretrained.units,
    encoder: pretrained.encoderKind, dropout: pretrained.dropoutRate, seed,
  });
  model.build([-1, maxLength]);
  const transferred = Object.fromEntries(Object.entries(pretrained.stateDict()).filter(([name]) => !name.startsWith('head.')));
  model.loadStateDict(transferred, { strict: false });
  return model;
}

/** Positive-class probabilities of `texts` (eval mode, in batches). */
export function predictProbabilities(model: SentimentClassifier, tokenizer: Tokenizer, texts: readonly string[], batchSize = 256): Float32Array {
  const probabilities = new Float32Array(texts.length);
  model.eval();
  try {
    for (let start = 0; start < texts.length; start += batchSize) {
      const { data, shape } = tokenizer.encodeBatch(texts.slice(start, start + batchSize));
      const values = tidy(() => noGrad(() => {
        const logits: Tensor = model.apply(tensor(data, shape, 'int32'));
        return logits.dataSync();
      }));
      for (let i = 0; i < values.length; i++) probabilities[start + i] = 1 / (1 + Math.exp(-values[i]));
    }
  } finally {
    model.train();
  }
  return probabilities;
}

/** Share of `sentences` whose predicted label (probability above 0.5, a positive logit) equals theirs. */
export function accuracyOn(model: SentimentClassifier, tokenizer: Tokenizer, sentences: LabelledSentences): number {
  if (sentences.texts.length === 0) return Number.NaN;
  const probabilities = predictProbabilities(model, tokenizer, sentences.texts);
  let correct = 0;
  for (let i = 0; i < probabilities.length; i++) if ((probabilities[i] > 0.5 ? 1 : 0) === sentences.labels[i]) correct++;
  return correct / probabilities.length;
}

function definedOnly<T extends object>(options: T): Partial<T> {
  return Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined)) as Partial<T>;
}
