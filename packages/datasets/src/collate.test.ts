import { describe, expect, it } from 'vitest';
import { collate } from './collate.js';

describe('collate', () => {
  it('stacks tensor data, typed arrays, numbers and strings, field by field', () => {
    const batch = collate([
      { image: { data: Float32Array.of(1, 2, 3, 4), shape: [2, 2] }, label: 3, id: Int32Array.of(7), name: 'a' },
      { image: { data: Float32Array.of(5, 6, 7, 8), shape: [2, 2] }, label: 1, id: Int32Array.of(9), name: 'b' },
    ]);
    expect(batch.image.shape).toEqual([2, 2, 2]);
    expect(Array.from(batch.image.data)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(batch.label).toEqual({ data: Float32Array.of(3, 1), shape: [2] });
    expect(batch.id).toEqual({ data: Int32Array.of(7, 9), shape: [2, 1] });
    expect(batch.name).toEqual(['a', 'b']);
  });

  it('names the element whose shape differs', () => {
    expect(() => collate([Float32Array.of(1, 2), Float32Array.of(1, 2), Float32Array.of(1)])).toThrow(
      'batch: element 2 has shape [1], element 0 has [2]',
    );
    expect(() =>
      collate([{ x: { data: new Float32Array(4), shape: [2, 2] } }, { x: { data: new Float32Array(4), shape: [4, 1] } }]),
    ).toThrow('batch.x: element 1 has shape [4, 1], element 0 has [2, 2]');
  });
});
