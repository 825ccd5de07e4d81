import { describe, expect, it } from 'vitest';
import { idxLabels, labeledImagesFromIdx, normalizeIdxImages } from './mnist.js';

describe('MNIST helpers', () => {
  it('scales unsigned-byte images to [0, 1] and keeps their shape', () => {
    const { images, shape } = normalizeIdxImages({ data: Uint8Array.of(0, 51, 255, 102), shape: [1, 2, 2] });
    expect(shape).toEqual([1, 2, 2]);
    expect(Array.from(images)).toEqual([0, 51 / 255, 1, 102 / 255].map(Math.fround));
  });

  it('checks label range, naming the index of the bad label', () => {
    expect(Array.from(idxLabels({ data: Uint8Array.of(0, 9, 3), shape: [3] }, { numClasses: 10 }))).toEqual([0, 9, 3]);
    expect(() => idxLabels({ data: Uint8Array.of(0, 12), shape: [2] }, { numClasses: 10, source: 'train-labels' })).toThrow(
      'train-labels, field "label[1]": label 12 is out of range 0..9',
    );
  });

  it('catches swapped files and mismatched counts', () => {
    const images = { data: new Uint8Array(8), shape: [2, 2, 2] };
    const labels = { data: Uint8Array.of(1, 2, 3), shape: [3] };
    expect(() => idxLabels(images, { numClasses: 10 })).toThrow(/is this an image file/);
    expect(() => normalizeIdxImages(labels)).toThrow(/is this a label file/);
    expect(() => labeledImagesFromIdx(images, labels, { numClasses: 10 })).toThrow(/2 images but 3 labels/);
    expect(() => normalizeIdxImages(images, { expectedCount: 60000 })).toThrow(/expected 60000 images, the header says 2/);
  });
});
