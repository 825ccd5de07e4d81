import { DendriteError, randomNormal, tidy, zeros } from '@dendrite/core';
import { describe, expect, it } from 'vitest';
import { Conv1D } from './conv1d.js';
import { checkLayerGradients } from './test-utils.js';

const sequence = (batch: number, length: number, channels: number, seed: number) =>
  ({ values: randomNormal([batch, length, channels], 0, 1, seed).dataSync() as Float32Array, shape: [batch, length, channels] });

describe('Conv1D', () => {
  it('gradients of input, kernel and bias pass finite differences (stride, dilation, padding)', () => {
    checkLayerGradients(new Conv1D({ filters: 2, kernelSize: 3, stride: 2, dilation: 2, seed: 1 }), [sequence(2, 8, 2, 1)]);
    checkLayerGradients(new Conv1D({ filters: 2, kernelSize: 2, padding: 'same', activation: 'tanh', seed: 2 }), [sequence(1, 5, 3, 2)]);
    checkLayerGradients(new Conv1D({ filters: 1, kernelSize: 3, padding: 1, seed: 3 }), [sequence(1, 4, 2, 3)]);
  });

  it('output lengths follow the padding rule; outputShape agrees with the computation', () => tidy(() => {
    const shapes: Array<[ConstructorParameters<typeof Conv1D>[0], number[]]> = [
      [{ filters: 4, kernelSize: 3 }, [2, 8, 4]],
      [{ filters: 4, kernelSize: 3, padding: 'same' }, [2, 10, 4]],
      [{ filters: 4, kernelSize: 3, padding: 'same', stride: 3 }, [2, 4, 4]],
      [{ filters: 4, kernelSize: 3, dilation: 2, stride: 2 }, [2, 3, 4]],
      [{ filters: 4, kernelSize: 3, padding: 2 }, [2, 12, 4]],
    ];
    for (const [options, expected] of shapes) {
      const conv = new Conv1D({ ...options, seed: 1 });
      expect(conv.apply(zeros([2, 10, 3])).shape).toEqual(expected);
      expect(conv.outputShape([2, 10, 3])).toEqual(expected);
    }
    expect(new Conv1D({ filters: 4, kernelSize: 5, seed: 1 }).apply(zeros([1, 7, 2])).shape).toEqual([1, 3, 4]);
  }));

  it('refuses bad options and inputs', () => tidy(() => {
    expect(() => new Conv1D({ filters: 0, kernelSize: 3 })).toThrow(/filters must be a positive integer/);
    expect(() => new Conv1D({ filters: 1, kernelSize: 3, padding: 'full' as 'same' })).toThrow(DendriteError);
    const conv = new Conv1D({ filters: 1, kernelSize: 3, seed: 1 });
    conv.apply(zeros([1, 5, 2]));
    expect(() => conv.apply(zeros([1, 5, 3]))).toThrow(/expected inputs \[batch, length, 2\], got \[1, 5, 3\]/);
    expect(() => new Conv1D({ filters: 1, kernelSize: 3 }).apply(zeros([5, 2]))).toThrow(/needs inputs \[batch, length, channels\]/);
  }));
});
