import { describe, expect, it } from 'vitest';
import { tensor } from '@dendrite/core';
import { expectClose } from '@dendrite/core/testing';
import { clipGradientsByGlobalNorm, clipGradientsByValue } from './clip.js';

describe('gradient clipping', () => {
  it('scales all gradients together to the global norm, as clip_grad_norm_', () => {
    const { gradients, norm } = clipGradientsByGlobalNorm([tensor([3, 0]), null, tensor([[4]])], 1);
    expectClose(norm.dataSync(), [5], { atol: 1e-6 });
    const scale = 1 / (5 + 1e-6);
    expectClose(gradients[0]!.dataSync(), [3 * scale, 0], { atol: 1e-7 });
    expect(gradients[1]).toBeNull();
    expect(gradients[2]!.shape).toEqual([1, 1]);
    expectClose(gradients[2]!.dataSync(), [4 * scale], { atol: 1e-7 });
  });

  it('leaves gradients under the limit unchanged', () => {
    const { gradients, norm } = clipGradientsByGlobalNorm([tensor([0.3, -0.4])], 1);
    expectClose(norm.dataSync(), [0.5], { atol: 1e-7 });
    expectClose(gradients[0]!.dataSync(), [0.3, -0.4], { atol: 0 });
  });

  it('clamps by value', () => {
    const [clipped, none] = clipGradientsByValue([tensor([-2, 0.1, 3]), null], 0.5);
    expectClose(clipped!.dataSync(), [-0.5, 0.1, 0.5], { atol: 0 });
    expect(none).toBeNull();
  });

  it('rejects bad limits and gradients', () => {
    expect(() => clipGradientsByGlobalNorm([tensor([1])], 0)).toThrow('clipGradientsByGlobalNorm: maxNorm must be a finite number > 0, got 0');
    expect(() => clipGradientsByValue([tensor([1])], NaN)).toThrow('clipGradientsByValue: limit must be a finite number > 0, got NaN');
    expect(() => clipGradientsByValue([tensor([1], [1], 'int32')], 1)).toThrow('clipGradientsByValue: gradient 0 is int32, expected float32');
    const disposed = tensor([1]);
    disposed.dispose();
    expect(() => clipGradientsByGlobalNorm([disposed], 1)).toThrow('clipGradientsByGlobalNorm: gradient 0 was disposed');
  });
});
