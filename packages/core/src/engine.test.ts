import { describe, expect, it } from 'vitest';
import { engine, memory, tidy, keep } from './engine.js';
import { tensor, zeros } from './ops/creation.js';
import { add } from './ops/add.js';
import { reshape } from './ops/reshape.js';
import { DendriteError } from './errors.js';

describe('engine lifetimes', () => {
  it('tidy disposes intermediates and keeps the result', () => {
    const before = memory().tensors;
    const result = tidy(() => {
      const a = tensor([1, 2, 3]);
      const b = add(a, 1);
      return add(b, 1);
    });
    expect(memory().tensors).toBe(before + 1);
    expect(Array.from(result.dataSync())).toEqual([3, 4, 5]);
    result.dispose();
    expect(memory().tensors).toBe(before);
  });

  it('keeps tensors returned inside objects and kept tensors', () => {
    const before = memory().tensors;
    let kept: ReturnType<typeof zeros> | undefined;
    const out = tidy(() => {
      kept = keep(zeros([2]));
      zeros([3]);
      return { a: zeros([1]), list: [zeros([1])] };
    });
    expect(memory().tensors).toBe(before + 3);
    out.a.dispose();
    out.list[0].dispose();
    kept!.dispose();
    expect(memory().tensors).toBe(before);
  });

  it('reshape views share the buffer until the last view goes', () => {
    const buffersBefore = memory().buffers;
    const a = tensor([1, 2, 3, 4]);
    const b = reshape(a, [2, 2]);
    expect(memory().buffers).toBe(buffersBefore + 1);
    a.dispose();
    expect(Array.from(b.dataSync())).toEqual([1, 2, 3, 4]);
    b.dispose();
    expect(memory().buffers).toBe(buffersBefore);
  });

  it('names the op and the tensor when a disposed tensor is used', () => {
    const a = tensor([1]);
    a.dispose();
    expect(() => add(a, 1)).toThrow(DendriteError);
    expect(() => add(a, 1)).toThrow(/add: tensor #\d+ \[1\] was disposed/);
  });

  it('rejects async functions in tidy', () => {
    expect(() => tidy((() => Promise.resolve(1)) as () => unknown)).toThrow(/synchronous/);
    // What the function made before returning its Promise is disposed, the tensor it resolves to too.
    const before = memory().tensors;
    expect(() => tidy((() => {
      const made = tensor([1, 2]);
      add(made, 1);
      return Promise.resolve(made);
    }) as () => unknown)).toThrow(/synchronous/);
    expect(memory().tensors).toBe(before);
  });

  it('reports backend info', () => {
    expect(engine.backendInfo().name).toBe('cpu');
  });
});
