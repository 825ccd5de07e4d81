import { describe, expect, it } from 'vitest';
import { combineSentimentParts, parseSentimentLines } from './sentiment.js';
import { splitLinesSync } from './text.js';

describe('sentiment sentences', () => {
  it('splits on the last tab, trims, and keeps labels as integers', async () => {
    const parsed = await parseSentimentLines(splitLinesSync('Great\tphone.  \t1\nAwful.\t0\n\n'));
    expect(parsed.texts).toEqual(['Great\tphone.', 'Awful.']);
    expect(parsed.labels).toEqual(Int32Array.of(1, 0));
    const combined = combineSentimentParts([{ source: 'a', ...parsed }, { source: 'b', texts: ['x'], labels: Int32Array.of(1) }]);
    expect(combined.sources).toEqual(['a', 'a', 'b']);
    expect(combined.labels).toEqual(Int32Array.of(1, 0, 1));
  });

  it('rejects a label out of range and a line without a tab', async () => {
    await expect(parseSentimentLines(splitLinesSync('ok\t1\nbad\t2\n'), 'yelp.txt')).rejects.toThrow('yelp.txt, line 2, field "label": label "2" is out of range (expected 0 or 1)');
    await expect(parseSentimentLines(splitLinesSync('no tab here 1\n'), 'imdb.txt')).rejects.toThrow('imdb.txt, line 1: expected "sentence<TAB>label", found no tab');
  });
});
