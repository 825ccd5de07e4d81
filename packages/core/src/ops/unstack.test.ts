import { describe, expect, it } from 'vitest';
import { backward, gradients } from '../autograd/backward.js';
import { grad, variable } from '../autograd/grad.js';
import { engine, memory, tidy } from '../engine.js';
import { DendriteError } from '../errors.js';
import { gradCheck } from '../testing/gradcheck.js';
import { arange, tensor } from './creation.js';
import { add } from './add.js';
import { stack } from './concat.js';
import { mul } from './mul.js';
import { reshape } from './reshape.js';
import { slice } from './slice.js';
import { sum } from './sum.js';
import { tanh } from './tanh.js';
import { unstack } from './unstack.js';

const cube = () => reshape(arange(0, 24), [2, 3, 4]);

describe('unstack', () => {
  it('gives the slices along axis 0, 1 and -1 with that axis removed', () => tidy(() => {
    const x = cube();
    const along0 = unstack(x, 0);
    expect(along0.map((t) => t.shape)).toEqual([[3, 4], [3, 4]]);
    expect(along0[1].arraySync()).toEqual([[12, 13, 14, 15], [16, 17, 18, 19], [20, 21, 22, 23]]);
    const along1 = unstack(x, 1);
    expect(along1.map((t) => t.shape)).toEqual([[2, 4], [2, 4], [2, 4]]);
    expect(along1[2].arraySync()).toEqual([[8, 9, 10, 11], [20, 21, 22, 23]]);
    const alongLast = unstack(x, -1);
    expect(alongLast).toHaveLength(4);
    expect(alongLast[3].arraySync()).toEqual([[3, 7, 11], [15, 19, 23]]);
    // The default axis is 0, and stack is its inverse on every axis.
    expect(unstack(x).map((t) => t.arraySync())).toEqual(along0.map((t) => t.arraySync()));
    for (const axis of [0, 1, 2]) expect(stack(unstack(x, axis), axis).arraySync()).toEqual(x.arraySync());
  }));

  it('keeps int32, takes vectors apart into scalars, and gives [] for an empty axis', () => tidy(() => {
    const ints = unstack(tensor([[1, 2], [3, 4]], [2, 2], 'int32'), 1);
    expect(ints[0].dtype).toBe('int32');
    expect(ints[1].arraySync()).toEqual([2, 4]);
    const scalars = unstack(tensor([5, 6, 7]));
    expect(scalars.map((t) => t.shape)).toEqual([[], [], []]);
    expect(scalars.map((t) => t.dataSync()[0])).toEqual([5, 6, 7]);
    expect(unstack(tensor([], [2, 0]), 1)).toEqual([]);
  }));

  it('passes finite differences on every axis, with outputs used twice, combined, and unused', () => {
    const values = Float32Array.from({ length: 24 }, (_, i) => Math.sin(i + 1));
    for (const axis of [0, 1, 2, -1, -2]) {
      gradCheck((x) => {
        const parts = unstack(x, axis);
        // The first part twice, the last through tanh, the ones between not at all.
        return add(mul(parts[0], parts[0]), tanh(parts[parts.length - 1]));
      }, [{ values, shape: [2, 3, 4] }]);
    }
  });

  it('gives zeros to the slices no gradient reached, and the same gradient as slice', () => tidy(() => {
    const x = variable(cube());
    const [dx] = grad((input: typeof x) => {
      const [, middle] = unstack(input, 1);
      return sum(mul(middle, tensor([1, 2, 3, 4])));
    })(x);
    expect(dx.arraySync()).toEqual([[[0, 0, 0, 0], [1, 2, 3, 4], [0, 0, 0, 0]], [[0, 0, 0, 0], [1, 2, 3, 4], [0, 0, 0, 0]]]);
    const [bySlice] = grad((input: typeof x) => sum(mul(slice(input, [0, 1, 0], [2, 1, 4]), tensor([1, 2, 3, 4]))))(x);
    expect(bySlice.arraySync()).toEqual(dx.arraySync());
  }));

  it('runs its gradient rule once for all slices: one stack, not one full-size gradient per slice', () => tidy(() => {
    const x = variable(reshape(arange(0, 12), [3, 4]));
    const parts = unstack(x, 0);
    const loss = sum(add(add(parts[0], mul(parts[1], 2)), mul(parts[2], 3)));
    let groupCalls = 0;
    const group = parts[0].gradNode!.group!;
    expect(parts.every((part) => part.gradNode!.group === group)).toBe(true);
    const counted = { ...group, backward: (...args: Parameters<typeof group.backward>) => { groupCalls++; return group.backward(...args); } };
    for (const part of parts) Object.assign(part.gradNode!, { group: counted });
    const [dx] = gradients(loss, [x]);
    expect(groupCalls).toBe(1);
    expect(dx!.arraySync()).toEqual([[1, 1, 1, 1], [2, 2, 2, 2], [3, 3, 3, 3]]);
    // Each output's own rule (for callers walking nodes one by one) is the group's with only its gradient.
    const [alone] = parts[1].gradNode!.backward(tensor([5, 6, 7, 8]), [true]);
    expect(alone!.arraySync()).toEqual([[0, 0, 0, 0], [5, 6, 7, 8], [0, 0, 0, 0]]);
  }));

  it('a slice used as the root of backward, or as a gradient target, works like any tensor', () => tidy(() => {
    const x = variable(tensor([[1, 2], [3, 4]]));
    const parts = unstack(x, 1);
    // The root is one output: the others got no gradient.
    backward(sum(mul(parts[1], parts[1])), undefined, { retainGraph: true });
    expect(x.grad!.arraySync()).toEqual([[0, 4], [0, 8]]);
    // Gradients with respect to the slices themselves, and through them to x.
    const loss = sum(mul(parts[0], parts[1]));
    const [d0, d1, dx] = gradients(loss, [parts[0], parts[1], x]);
    expect(d0!.arraySync()).toEqual([2, 4]);
    expect(d1!.arraySync()).toEqual([1, 3]);
    expect(dx!.arraySync()).toEqual([[2, 1], [4, 3]]);
  }));

  it('records nothing under noGrad or for inputs without gradients, and leaks nothing', () => {
    const before = memory().tensors;
    tidy(() => {
      const plain = unstack(cube(), 1);
      expect(plain.every((part) => part.gradNode === null)).toBe(true);
      const x = variable(cube());
      expect(engine.noGrad(() => unstack(x, 0)).every((part) => part.gradNode === null)).toBe(true);
      backward(sum(stack(unstack(x, 2), 0)));
      expect(Array.from(x.grad!.dataSync())).toEqual(new Array(24).fill(1));
      x.dispose();
    });
    expect(memory().tensors).toBe(before);
  });

  it('refuses a bad axis and a scalar with DendriteErrors that name them', () => tidy(() => {
    expect(() => unstack(cube(), 3)).toThrow(new DendriteError('unstack: axis 3 is out of range for a tensor of rank 3'));
    expect(() => unstack(cube(), -4)).toThrow(new DendriteError('unstack: axis -4 is out of range for a tensor of rank 3'));
    expect(() => unstack(cube(), 1.5)).toThrow(new DendriteError('unstack: axis 1.5 is out of range for a tensor of rank 3'));
    expect(() => unstack(cube(), '1' as unknown as number)).toThrow(new DendriteError("unstack: argument 'axis' must be an integer, got the string '1'"));
    expect(() => unstack(tensor(5))).toThrow(new DendriteError('unstack: x must have rank >= 1, got shape []'));
    expect(() => unstack([1, 2] as unknown as ReturnType<typeof cube>)).toThrow(DendriteError);
  }));
});
