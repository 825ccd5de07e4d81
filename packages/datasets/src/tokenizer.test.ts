import { describe, expect, it } from 'vitest';
import { DatasetError } from './errors.js';
import { OOV_ID, PAD_ID, Tokenizer } from './tokenizer.js';

describe('Tokenizer', () => {
  const texts = ['Great phone, great price!', 'Awful phone.', "Don't buy this phone", 'Great battery'];

  it('splits words, keeps inner apostrophes and ! ?, lower-cases', () => {
    const tokenizer = Tokenizer.fit(texts);
    expect(tokenizer.tokenize("Don’t BUY it!! Really? ok...")).toEqual(["don't", 'buy', 'it', '!', '!', 'really', '?', 'ok']);
    expect(Tokenizer.fit(texts, { lowercase: false }).tokenize('Great great')).toEqual(['Great', 'great']);
    expect(tokenizer.tokenize('')).toEqual([]);
  });

  it('orders the vocabulary by count, ties alphabetically, after padding and OOV', () => {
    const tokenizer = Tokenizer.fit(texts);
    // phone ×3, great ×3 (lower-cased), then the singletons alphabetically.
    expect(tokenizer.vocabulary.slice(0, 6)).toEqual(['<pad>', '<oov>', 'great', 'phone', '!', 'awful']);
    expect(tokenizer.size).toBe(2 + 9);
    expect(PAD_ID).toBe(0);
    expect(OOV_ID).toBe(1);
  });

  it('applies minCount and maxSize; unknown words become OOV', () => {
    const frequent = Tokenizer.fit(texts, { minCount: 2 });
    expect(frequent.vocabulary).toEqual(['<pad>', '<oov>', 'great', 'phone']);
    expect(Array.from(frequent.encode('great new phone'))).toEqual([2, OOV_ID, 3]);
    const small = Tokenizer.fit(texts, { maxSize: 3 });
    expect(small.vocabulary).toEqual(['<pad>', '<oov>', 'great']);
    expect(Array.from(small.encode('phone great'))).toEqual([OOV_ID, 2]);
  });

  it('pads and truncates to maxLength on either side and reports lengths', () => {
    const post = Tokenizer.fit(texts, { maxLength: 3 });
    const great = post.encode('great')[0];
    const phone = post.encode('phone')[0];
    const batch = post.encodeBatch(['great phone', 'great great phone phone', '']);
    expect(batch.shape).toEqual([3, 3]);
    expect(Array.from(batch.data)).toEqual([great, phone, 0, great, great, phone, 0, 0, 0]);
    expect(Array.from(batch.lengths)).toEqual([2, 3, 0]);
    const pre = Tokenizer.fit(texts, { maxLength: 3, padding: 'pre', truncation: 'pre' });
    expect(Array.from(pre.encodeBatch(['great phone', 'great great phone phone']).data)).toEqual([0, great, phone, great, phone, phone]);
    expect(post.encodeBatch(['great'], { maxLength: 5 }).shape).toEqual([1, 5]);
  });

  it('decodes ids back to tokens without padding', () => {
    const tokenizer = Tokenizer.fit(texts);
    expect(tokenizer.decode(tokenizer.encodeBatch(['great zebra phone'], { maxLength: 5 }).data)).toEqual(['great', '<oov>', 'phone']);
    expect(() => tokenizer.decode([999])).toThrow('id 999 at position 0 is outside [0, 11)');
  });

  it('round-trips through JSON and encodes the same', () => {
    const tokenizer = Tokenizer.fit(texts, { minCount: 1, maxLength: 7, padding: 'pre' });
    const copy = Tokenizer.fromJSON(JSON.parse(JSON.stringify(tokenizer)));
    expect(copy.vocabulary).toEqual(tokenizer.vocabulary);
    expect(copy.maxLength).toBe(7);
    expect(copy.padding).toBe('pre');
    expect(Array.from(copy.encodeBatch(texts).data)).toEqual(Array.from(tokenizer.encodeBatch(texts).data));
  });

  it('rejects bad options and bad JSON with a clear error', () => {
    expect(() => Tokenizer.fit(texts, { minCount: 0 })).toThrow('minCount must be a positive integer, got 0');
    expect(() => Tokenizer.fit(texts, { maxSize: 1 })).toThrow('maxSize must be an integer of at least 2');
    expect(() => Tokenizer.fit(texts, { maxLength: 0 })).toThrow('maxLength must be a positive integer, got 0');
    expect(() => Tokenizer.fit(texts, { padding: 'left' as never })).toThrow("padding must be 'pre' or 'post'");
    expect(() => Tokenizer.fit([1 as unknown as string])).toThrow('texts[0] is a number, not a string');
    expect(() => Tokenizer.fromJSON({ format: 'other' }, 'x.json')).toThrow(DatasetError);
    expect(() => Tokenizer.fromJSON({ format: 'other' }, 'x.json')).toThrow(/x\.json.*not a Dendrite tokenizer/);
    const good = Tokenizer.fit(texts).toJSON();
    expect(() => Tokenizer.fromJSON({ ...good, version: 2 }, 't.json')).toThrow('tokenizer version 2 is not supported');
    expect(() => Tokenizer.fromJSON({ ...good, vocabulary: ['<pad>', 'a', 'a'] }, 't.json')).toThrow('duplicate tokens');
    expect(() => Tokenizer.fromJSON({ ...good, maxLength: -1 }, 't.json')).toThrow('maxLength must be a positive integer');
  });
});
