import {
  add, mul, randomNormal, sum, tanh, tensor, tidy, variable, variableGrads, type Tensor,
} from '@dendrite/core';
import { expectClose } from '@dendrite/core/testing';
import { describe, expect, it } from 'vitest';
import { Conv2D, Conv2DTranspose } from './conv2d.js';
import { groupedConv2dWithSlices } from './test-support/slice-grouped-conv.js';
import { checkLayerGradients } from './test-utils.js';

const values = (n: number, seed: number) => new Float32Array(n).map((_, i) => Math.sin(seed * 7.3 + i * 2.17));

/** Direct NHWC convolution with explicit padding, stride, dilation and groups, in float64. */
function referenceConv(
  x: Float32Array, [n, h, w, c]: number[], kernel: Float32Array, [kh, kw, cg, f]: number[],
  { stride = [1, 1], pad = [0, 0, 0, 0], dilation = [1, 1], groups = 1 }: { stride?: number[]; pad?: number[]; dilation?: number[]; groups?: number },
): { values: Float64Array; shape: number[] } {
  const oh = Math.floor((h + pad[0] + pad[1] - dilation[0] * (kh - 1) - 1) / stride[0]) + 1;
  const ow = Math.floor((w + pad[2] + pad[3] - dilation[1] * (kw - 1) - 1) / stride[1]) + 1;
  const out = new Float64Array(n * oh * ow * f);
  const perGroup = f / groups;
  for (let b = 0; b < n; b++) for (let i = 0; i < oh; i++) for (let j = 0; j < ow; j++) for (let o = 0; o < f; o++) {
    const group = Math.floor(o / perGroup);
    let total = 0;
    for (let p = 0; p < kh; p++) for (let q = 0; q < kw; q++) for (let k = 0; k < cg; k++) {
      const y = i * stride[0] - pad[0] + p * dilation[0];
      const z = j * stride[1] - pad[2] + q * dilation[1];
      if (y < 0 || y >= h || z < 0 || z >= w) continue;
      total += x[((b * h + y) * w + z) * c + group * cg + k] * kernel[((p * kw + q) * cg + k) * f + o];
    }
    out[((b * oh + i) * ow + j) * f + o] = total;
  }
  return { values: out, shape: [n, oh, ow, f] };
}

describe('Conv2D', () => {
  const cases = [
    { name: 'valid', options: {}, pad: [0, 0, 0, 0] },
    { name: 'stride 2, padding 1', options: { stride: 2, padding: 1 }, stride: [2, 2], pad: [1, 1, 1, 1] },
    { name: 'same', options: { padding: 'same' as const }, pad: [1, 1, 1, 1] },
    { name: 'dilation 2, explicit padding', options: { dilation: 2, padding: [2, 1, 0, 2] as [number, number, number, number] }, dilation: [2, 2], pad: [2, 1, 0, 2] },
    { name: 'groups 2, stride [1, 2]', options: { groups: 2, stride: [1, 2] as [number, number] }, stride: [1, 2], pad: [0, 0, 0, 0], groups: 2 },
  ];
  for (const { name, options, ...geometry } of cases) {
    it(`matches a direct convolution (${name}) and has the right kernel layout`, () => {
      const groups = geometry.groups ?? 1;
      const conv = new Conv2D({ filters: 4, kernelSize: 3, seed: 2, biasInitializer: () => tensor([0.1, -0.2, 0.3, 0.05]), ...options });
      const x = values(2 * 6 * 7 * 4, 1);
      const y = conv.apply(tensor(x, [2, 6, 7, 4]));
      expect(conv.kernel.shape).toEqual([3, 3, 4 / groups, 4]);
      const reference = referenceConv(x, [2, 6, 7, 4], conv.kernel.dataSync() as Float32Array, [3, 3, 4 / groups, 4], { ...geometry, groups });
      expect(y.shape).toEqual(reference.shape);
      expectClose(y.dataSync(), new Float32Array(reference.values.map((v, i) => v + [0.1, -0.2, 0.3, 0.05][i % 4])), { atol: 1e-5, rtol: 1e-5 });
      expect(conv.outputShape([-1, 6, 7, 4])).toEqual([-1, ...reference.shape.slice(1)]);
    });
  }

  it('passes finite-difference gradient checks (stride, padding, dilation, groups, activation)', () => {
    checkLayerGradients(new Conv2D({ filters: 2, kernelSize: 2, stride: 2, padding: 1, activation: 'tanh', seed: 3 }),
      [{ values: values(1 * 4 * 4 * 2, 4), shape: [1, 4, 4, 2] }]);
    checkLayerGradients(new Conv2D({ filters: 2, kernelSize: [2, 3], dilation: [2, 1], groups: 2, seed: 4 }),
      [{ values: values(1 * 5 * 4 * 2, 5), shape: [1, 5, 4, 2] }]);
  });

  it('gives the values and gradients of one slice per group (groups 4, depthwise) through one unstack, no slice', () => tidy(() => {
    for (const { channels, filters, groups } of [{ channels: 8, filters: 12, groups: 4 }, { channels: 6, filters: 6, groups: 6 }]) {
      const conv = new Conv2D({ filters, kernelSize: 3, padding: 'same', stride: [1, 2], groups, activation: 'tanh', seed: 8 });
      const x = variable(tensor(values(2 * 5 * 6 * channels, 9), [2, 5, 6, channels]));
      conv.build(x.shape);
      const projection = tensor(values(2 * 5 * 3 * filters, 10), [2, 5, 3, filters]);
      const loss = (forward: () => Tensor) => variableGrads(() => sum(mul(forward(), projection)), [x, conv.kernel, conv.bias!]);
      // The previous formula: a slice of x and of the kernel per group, the results concatenated.
      const sliced = () => tanh(add(groupedConv2dWithSlices(x, conv.kernel, groups, { stride: [1, 2], padding: 'same' }), conv.bias!));
      const expected = loss(sliced);
      const actual = loss(() => conv.apply(x));
      expectClose(actual.value.dataSync(), expected.value.dataSync(), { rtol: 1e-5, atol: 1e-5 });
      actual.grads.forEach((g, i) => expectClose(g.dataSync(), expected.grads[i].dataSync(), { rtol: 1e-5, atol: 1e-6 }, `gradient ${i}, groups ${groups}`));
      // The graph reads x and the kernel whole only through reshape and one unstack each.
      const readers = new Set<string>();
      const pending = [conv.apply(x)];
      const seen = new Set<Tensor>();
      while (pending.length) {
        const node = pending.pop()!.gradNode;
        if (!node) continue;
        for (const input of node.inputs) {
          if (input.size === x.size || input.size === conv.kernel.size) readers.add(node.op);
          if (seen.has(input)) continue;
          seen.add(input);
          pending.push(input);
        }
      }
      expect([...readers].sort()).toEqual(['reshape', 'unstack']);
    }
  }));

  it('refuses bad options and inputs with messages naming them', () => {
    expect(() => new Conv2D({ filters: 0, kernelSize: 3 })).toThrow(/Conv2D: filters must be a positive integer/);
    expect(() => new Conv2D({ filters: 3, kernelSize: 0 })).toThrow(/kernelSize/);
    expect(() => new Conv2D({ filters: 3, kernelSize: 3, groups: 2 })).toThrow(/groups must be a positive integer dividing filters \(3\)/);
    expect(() => new Conv2D({ filters: 3, kernelSize: 3, padding: 'full' as 'same' })).toThrow(/padding must be/);
    const conv = new Conv2D({ filters: 2, kernelSize: 3, name: 'c1' });
    expect(() => conv.apply(tensor(values(12, 1), [3, 4]))).toThrow(/c1: expects NHWC inputs \[batch, height, width, channels\], got \[3, 4\]/);
    conv.apply(tensor(values(2 * 5 * 5 * 3, 1), [2, 5, 5, 3]));
    expect(() => conv.apply(tensor(values(2 * 5 * 5 * 2, 1), [2, 5, 5, 2]))).toThrow(/c1: expects NHWC inputs with 3 channels/);
  });
});

describe('Conv2DTranspose', () => {
  it('is the adjoint of Conv2D with the same kernel: <convT(y), x> = <y, conv(x)>', () => {
    for (const geometry of [{ stride: 2, padding: 'valid' as const }, { stride: 2, padding: 1, outputPadding: 1 }, { stride: 1, padding: 'same' as const, dilation: 2 }]) {
      const transpose = new Conv2DTranspose({ filters: 3, kernelSize: 3, useBias: false, seed: 5, ...geometry });
      const y = randomNormal([2, 4, 4, 2], 0, 1, 6);
      const upsampled = transpose.apply(y);
      const x = randomNormal(upsampled.shape, 0, 1, 7);
      // The forward conv maps [.., 3 channels] -> [.., 2]; its kernel is the transpose's [kh, kw, 3, 2].
      const forward = new Conv2D({ filters: 2, kernelSize: 3, useBias: false, stride: geometry.stride, padding: geometry.padding, dilation: geometry.dilation ?? 1 });
      forward.build(x.shape);
      forward.kernel.assign(transpose.kernel);
      const convX: Tensor = forward.apply(x);
      expect(convX.shape).toEqual(y.shape);
      expect(sum(mul(upsampled, x)).dataSync()[0]).toBeCloseTo(sum(mul(y, convX)).dataSync()[0], 3);
    }
  });

  it('gives PyTorch ConvTranspose2d output sizes and its kernel is [kh, kw, filters, in]', () => {
    const layer = new Conv2DTranspose({ filters: 5, kernelSize: [3, 2], stride: [2, 3], padding: [1, 1, 0, 0], dilation: [1, 2], outputPadding: [1, 2], seed: 1 });
    // (7-1)*2 - 2 + 1*(3-1) + 1 + 1 = 14; (6-1)*3 - 0 + 2*(2-1) + 1 + 2 = 20
    expect(layer.outputShape([-1, 7, 6, 4])).toEqual([-1, 14, 20, 5]);
    expect(layer.kernel.shape).toEqual([3, 2, 5, 4]);
    expect(layer.apply(randomNormal([1, 7, 6, 4], 0, 1, 1)).shape).toEqual([1, 14, 20, 5]);
    expect(new Conv2DTranspose({ filters: 2, kernelSize: 4, stride: 2, padding: 'same' }).outputShape([-1, 5, 5, 1])).toEqual([-1, 10, 10, 2]);
    expect(() => new Conv2DTranspose({ filters: 2, kernelSize: 2, stride: 2, outputPadding: 2 })).toThrow(/outputPadding/);
  });

  it('passes finite-difference gradient checks', () => {
    checkLayerGradients(new Conv2DTranspose({ filters: 2, kernelSize: 2, stride: 2, padding: 1, outputPadding: 1, activation: 'sigmoid', seed: 8 }),
      [{ values: values(1 * 3 * 3 * 2, 9), shape: [1, 3, 3, 2] }]);
  });
});
