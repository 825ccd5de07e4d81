import { DatasetError } from './errors.js';

/** Where padding (or truncation) goes: after the tokens (`'post'`) or before them (`'pre'`). */
export type SequenceSide = 'pre' | 'post';

/** How text is split and sequences are shaped; stored with the vocabulary. */
export interface TokenizerOptions {
  /** Lower-case text before splitting (default true). */
  lowercase?: boolean;
  /** Length of every encoded sequence from {@link Tokenizer.encodeBatch} (default 64). */
  maxLength?: number;
  /** Where padding ids go (default `'post'`: tokens first, so `lengths` and masks both work). */
  padding?: SequenceSide;
  /** Which end a too-long sequence loses (default `'post'`: keep the first `maxLength` tokens). */
  truncation?: SequenceSide;
}

/** Vocabulary limits for {@link Tokenizer.fit}. */
export interface VocabularyOptions extends TokenizerOptions {
  /** Words seen fewer times than this become the OOV token (default 1: keep every word). */
  minCount?: number;
  /** Most ids in the vocabulary, the padding and OOV tokens included (default: no limit). */
  maxSize?: number;
}

/** A tokenizer as JSON: saved beside a model so that prediction encodes text exactly as training did. */
export interface TokenizerJSON {
  format: 'dendrite.tokenizer';
  version: 1;
  lowercase: boolean;
  maxLength: number;
  padding: SequenceSide;
  truncation: SequenceSide;
  /** Token of each id: `vocabulary[0]` is the padding token, `vocabulary[1]` the OOV token. */
  vocabulary: string[];
}

/** Id 0: padding. A mask of `ids != 0` marks the real tokens. */
export const PAD_ID = 0;
/** Id 1: a word outside the vocabulary. */
export const OOV_ID = 1;
const PAD_TOKEN = '<pad>';
const OOV_TOKEN = '<oov>';

// Words (letters and digits, with an inner apostrophe as in "don't") and the punctuation that carries
// sentiment in reviews ("!", "?"); other punctuation and spaces separate tokens.
const TOKEN_PATTERN = /[\p{L}\p{N}]+(?:'[\p{L}]+)*|[!?]/gu;

/**
 * A word-level tokenizer with a vocabulary built from training text: ids `0` (padding) and `1` (out of
 * vocabulary), then words by descending count (ties alphabetical, so the same text always gives the same
 * ids). `encodeBatch` pads or truncates every sequence to `maxLength`; `toJSON`/`fromJSON` round-trip it.
 *
 * @example
 * ```ts
 * const tokenizer = Tokenizer.fit(['Great phone!', 'Awful phone.'], { minCount: 1, maxLength: 8 });
 * tokenizer.tokenize("Don't buy it!");              // ["don't", 'buy', 'it', '!']
 * const { data, shape } = tokenizer.encodeBatch(['great phone', 'new phone']); // Int32Array, [2, 8]
 * const copy = Tokenizer.fromJSON(JSON.parse(JSON.stringify(tokenizer.toJSON())));
 * ```
 */
export class Tokenizer {
  readonly lowercase: boolean;
  readonly maxLength: number;
  readonly padding: SequenceSide;
  readonly truncation: SequenceSide;
  private readonly tokens: string[];
  private readonly ids: Map<string, number>;

  private constructor(vocabulary: string[], options: Required<TokenizerOptions>) {
    this.tokens = vocabulary;
    this.ids = new Map(vocabulary.map((token, id) => [token, id]));
    this.lowercase = options.lowercase;
    this.maxLength = options.maxLength;
    this.padding = options.padding;
    this.truncation = options.truncation;
  }

  /**
   * Builds the vocabulary from `texts` (training text only: words seen only in test text must count as
   * unknown, as they would for new text).
   */
  static fit(texts: readonly string[], options: VocabularyOptions = {}): Tokenizer {
    const settings = checkOptions(options, 'Tokenizer.fit');
    const minCount = options.minCount ?? 1;
    const maxSize = options.maxSize ?? Number.POSITIVE_INFINITY;
    if (!Number.isInteger(minCount) || minCount < 1) throw new DatasetError(`Tokenizer.fit: minCount must be a positive integer, got ${minCount}`);
    if (maxSize !== Number.POSITIVE_INFINITY && (!Number.isInteger(maxSize) || maxSize < 2)) {
      throw new DatasetError(`Tokenizer.fit: maxSize must be an integer of at least 2 (padding and OOV), got ${maxSize}`);
    }
    if (!Array.isArray(texts)) throw new DatasetError('Tokenizer.fit: texts must be an array of strings');
    const counts = new Map<string, number>();
    texts.forEach((text, index) => {
      if (typeof text !== 'string') throw new DatasetError(`Tokenizer.fit: texts[${index}] is a ${typeof text}, not a string`);
      for (const token of splitTokens(text, settings.lowercase)) counts.set(token, (counts.get(token) ?? 0) + 1);
    });
    const words = [...counts.entries()]
      .filter(([, count]) => count >= minCount)
      .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
      .slice(0, Math.max(0, maxSize - 2))
      .map(([word]) => word);
    return new Tokenizer([PAD_TOKEN, OOV_TOKEN, ...words], settings);
  }

  /** Rebuilds a tokenizer saved with {@link Tokenizer.toJSON}; `source` names the file in errors. */
  static fromJSON(json: unknown, source = 'tokenizer'): Tokenizer {
    const value = json as Partial<TokenizerJSON> | null;
    if (typeof value !== 'object' || value === null || value.format !== 'dendrite.tokenizer') {
      throw new DatasetError(`not a Dendrite tokenizer (format must be 'dendrite.tokenizer')`, { file: source });
    }
    if (value.version !== 1) throw new DatasetError(`tokenizer version ${String(value.version)} is not supported (this reader knows 1)`, { file: source });
    const vocabulary = value.vocabulary;
    if (!Array.isArray(vocabulary) || vocabulary.length < 2 || vocabulary.some((token) => typeof token !== 'string')) {
      throw new DatasetError('vocabulary must be an array of at least 2 strings (padding and OOV first)', { file: source, field: 'vocabulary' });
    }
    if (new Set(vocabulary).size !== vocabulary.length) throw new DatasetError('vocabulary has duplicate tokens', { file: source, field: 'vocabulary' });
    const settings = checkOptions({ lowercase: value.lowercase, maxLength: value.maxLength, padding: value.padding, truncation: value.truncation }, source);
    return new Tokenizer([...vocabulary], settings);
  }

  /** Number of ids (the size an Embedding's `inputDim` needs). */
  get size(): number {
    return this.tokens.length;
  }

  /** Token of each id (`[0]` padding, `[1]` OOV). */
  get vocabulary(): readonly string[] {
    return this.tokens;
  }

  /** The text's tokens (lower-cased if the tokenizer lower-cases), before any vocabulary lookup. */
  tokenize(text: string): string[] {
    if (typeof text !== 'string') throw new DatasetError(`Tokenizer.tokenize: text must be a string, got ${typeof text}`);
    return splitTokens(text, this.lowercase);
  }

  /** The id of each token (OOV for unknown words), without padding or truncation. */
  encode(text: string): Int32Array {
    return Int32Array.from(this.tokenize(text), (token) => this.ids.get(token) ?? OOV_ID);
  }

  /** The tokens of `ids`, padding left out. */
  decode(ids: ArrayLike<number>): string[] {
    const tokens: string[] = [];
    for (let i = 0; i < ids.length; i++) {
      const id = ids[i];
      if (id === PAD_ID) continue;
      const token = this.tokens[id];
      if (token === undefined) throw new DatasetError(`Tokenizer.decode: id ${id} at position ${i} is outside [0, ${this.tokens.length})`);
      tokens.push(token);
    }
    return tokens;
  }

  /**
   * Encodes every text into one `[texts.length, maxLength]` int32 block, padded with id 0 and truncated
   * on the configured sides. `lengths[i]` is the number of real tokens kept (0 for an empty text).
   */
  encodeBatch(texts: readonly string[], options: { maxLength?: number } = {}): { data: Int32Array; shape: [number, number]; lengths: Int32Array } {
    const maxLength = options.maxLength ?? this.maxLength;
    if (!Number.isInteger(maxLength) || maxLength < 1) throw new DatasetError(`Tokenizer.encodeBatch: maxLength must be a positive integer, got ${maxLength}`);
    const data = new Int32Array(texts.length * maxLength);
    const lengths = new Int32Array(texts.length);
    texts.forEach((text, row) => {
      let ids = this.encode(text);
      if (ids.length > maxLength) ids = this.truncation === 'post' ? ids.subarray(0, maxLength) : ids.subarray(ids.length - maxLength);
      const offset = row * maxLength + (this.padding === 'post' ? 0 : maxLength - ids.length);
      data.set(ids, offset);
      lengths[row] = ids.length;
    });
    return { data, shape: [texts.length, maxLength], lengths };
  }

  /** JSON-safe form, for `JSON.stringify` (saved beside a model). */
  toJSON(): TokenizerJSON {
    return {
      format: 'dendrite.tokenizer', version: 1, lowercase: this.lowercase, maxLength: this.maxLength,
      padding: this.padding, truncation: this.truncation, vocabulary: [...this.tokens],
    };
  }
}

function splitTokens(text: string, lowercase: boolean): string[] {
  // Typographic apostrophes ("don’t") count as the ASCII one, so both spellings share a token.
  const normalised = (lowercase ? text.toLowerCase() : text).replace(/[\u2018\u2019]/g, "'");
  return normalised.match(TOKEN_PATTERN) ?? [];
}

function checkOptions(options: TokenizerOptions, where: string): Required<TokenizerOptions> {
  const lowercase = options.lowercase ?? true;
  const maxLength = options.maxLength ?? 64;
  const padding = options.padding ?? 'post';
  const truncation = options.truncation ?? 'post';
  if (typeof lowercase !== 'boolean') throw new DatasetError(`${where}: lowercase must be true or false, got ${JSON.stringify(lowercase)}`);
  if (!Number.isInteger(maxLength) || maxLength < 1) throw new DatasetError(`${where}: maxLength must be a positive integer, got ${JSON.stringify(maxLength)}`);
  for (const [name, side] of [['padding', padding], ['truncation', truncation]] as const) {
    if (side !== 'pre' && side !== 'post') throw new DatasetError(`${where}: ${name} must be 'pre' or 'post', got ${JSON.stringify(side)}`);
  }
  return { lowercase, maxLength, padding, truncation };
}
