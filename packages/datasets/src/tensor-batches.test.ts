import { describe, expect, it } from 'vitest';
import { memory, softmaxCrossEntropy, tensor, tidy, type Tensor } from '@dendrite/core';
import { Dataset } from './dataset.js';
import { tensorBatches } from './tensor-batches.js';

function examples() {
  const images = Float32Array.from({ length: 5 * 3 }, (_, index) => index / 10);
  const labels = Int32Array.of(0, 1, 2, 1, 0);
  return Dataset.fromTensorSlices({ image: { data: images, shape: [5, 3] }, label: labels, name: Float32Array.of(1, 2, 3, 4, 5) })
    .map((example, index) => ({ ...example, name: `example ${index}` }));
}

describe('tensorBatches', () => {
  it('makes tensors of each column dtype (int32 labels stay class indices) and frees them with the batch', async () => {
    const baseline = memory().tensors;
    const batches = Dataset.fromTensorSlices({ image: { data: Float32Array.from({ length: 15 }, (_, index) => index / 10), shape: [5, 3] }, label: Int32Array.of(0, 1, 2, 1, 0) })
      .batch(2);
    const seen: Tensor[] = [];
    const losses: number[] = [];
    for await (const { image, label } of tensorBatches(batches, tensor)) {
      expect(image.dtype).toBe('float32');
      expect(label.dtype).toBe('int32');
      expect(image.shape).toEqual([label.shape[0], 3]);
      // int32 labels: softmaxCrossEntropy reads them as class indices (float32 would be refused as probabilities).
      const loss = tidy(() => softmaxCrossEntropy(image, label));
      losses.push((await loss.data())[0]);
      loss.dispose();
      expect(memory().tensors).toBe(baseline + 2);
      seen.push(image, label);
    }
    expect(losses).toHaveLength(3);
    expect(seen.every((made) => made.isDisposed)).toBe(true);
    expect(memory().tensors).toBe(baseline);
  });

  it('frees the current batch on break and on an error, and passes strings through', async () => {
    const baseline = memory().tensors;
    for await (const batch of tensorBatches(examples().batch(2), tensor)) {
      expect(batch.name).toEqual(['example 0', 'example 1']);
      break;
    }
    expect(memory().tensors).toBe(baseline);
    await expect((async () => {
      for await (const batch of tensorBatches(examples().batch(2), tensor)) {
        void batch;
        throw new Error('training step failed');
      }
    })()).rejects.toThrow('training step failed');
    expect(memory().tensors).toBe(baseline);
    expect(() => tensorBatches(examples().batch(2), undefined as never)).toThrow(/createTensor must be a function/);
  });
});
