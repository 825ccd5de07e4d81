import { describe, expect, it } from 'vitest';
import { backward } from './autograd/backward.js';
import { grad, valueAndGrad, variable, variableGrads } from './autograd/grad.js';
import { createCpuBackend } from './backends/cpu/cpu-backend.js';
import { engine, keep, memory, tidy } from './engine.js';
import {
  adamUpdate, add, argmax, div, equal, exp, gelu, linear, logSoftmax, logSumExp, mean, moments, mul, relu, softmax, softmaxCrossEntropy,
  softplus, square, sub, sum, tensor, variance, zeros,
} from './ops/index.js';
import type { Tensor } from './tensor.js';
import { expectClose } from './testing/expect-close.js';

/** Live tensors and buffers now, to compare with later. */
const snapshot = () => ({ tensors: memory().tensors, buffers: memory().buffers });

describe('saved tensors: a kept graph keeps what its gradient rules read', () => {
  it('backward(tidy(() => loss)) works, and backward frees what the graph saved', () => {
    const w = variable(tensor([[1, -2], [3, 0.5]]));
    const x = tensor([[1, 2], [-1, 4]]);
    const baseline = snapshot();
    const loss = tidy(() => div(sum(square(relu(linear(x, w)))), 4));
    // Only the loss is live for the user; its intermediates wait (as saved tensors) for backward.
    backward(loss);
    // d/dw of sum(relu(xw)^2)/4 = xᵀ (relu(xw) / 2)
    const z = [[7, -1], [11, 4]];
    const dz = z.map((row) => row.map((v) => Math.max(v, 0) / 2));
    const expected = [[0, 0], [0, 0]].map((row, i) => row.map((_, j) => [1, -1].reduce((acc, _v, r) => acc + [[1, 2], [-1, 4]][r][i] * dz[r][j], 0)));
    expectClose(w.grad!.dataSync(), expected.flat());
    loss.dispose();
    w.grad!.dispose();
    w.grad = null;
    expect(snapshot()).toEqual(baseline);
    w.dispose();
    x.dispose();
  });

  it('disposing the returned tensor without backward frees the graph too', () => {
    const w = variable(tensor([0.5, -1, 2]));
    const baseline = snapshot();
    const loss = tidy(() => mean(exp(mul(w, tensor([1, 2, 3])))));
    expect(memory().tensors).toBeGreaterThan(baseline.tensors + 1);
    loss.dispose();
    expect(snapshot()).toEqual(baseline);
    w.dispose();
  });

  it('a disposed intermediate stays unusable by the user while the graph holds it', () => {
    const w = variable(tensor([1, 2]));
    let hidden: Tensor | undefined;
    const loss = tidy(() => {
      hidden = square(w);
      return sum(hidden);
    });
    expect(hidden!.isDisposed).toBe(true);
    expect(() => add(hidden!, 1)).toThrow(/add: tensor #\d+ \[2\] was disposed/);
    backward(loss);
    expectClose(w.grad!.dataSync(), [2, 4]);
    loss.dispose();
    w.dispose();
  });

  it('backward releases the graph; a second backward says so unless retainGraph', () => {
    const w = variable(tensor([3]));
    const kept = tidy(() => sum(square(w)));
    backward(kept, undefined, { retainGraph: true });
    backward(kept);
    expectClose(w.grad!.dataSync(), [12]);
    expect(() => backward(kept)).toThrow(/already released by an earlier backward\(\)/);
    // A tensor of the released graph used in a new one: an error at backward, not a silent zero.
    const hidden = square(w);
    backward(sum(hidden));
    expect(() => backward(sum(mul(hidden, 2)))).toThrow(/was made by a graph an earlier backward\(\) released/);
    kept.dispose();
    w.dispose();
  });

  it('the fused softmaxCrossEntropy rule keeps its probabilities and labels (saved, not inputs)', () => {
    const w = variable(tensor([[1, 0, -1], [0.5, 2, 0]]));
    const baseline = snapshot();
    const labels = tensor([2, 0], [2], 'int32');
    const loss = tidy(() => softmaxCrossEntropy(linear(tensor([[1, 2], [0, 1]]), w), labels));
    labels.dispose();
    backward(loss);
    expect(Number.isFinite(w.grad!.dataSync()[0])).toBe(true);
    loss.dispose();
    w.grad!.dispose();
    w.grad = null;
    expect(snapshot()).toEqual(baseline);
    w.dispose();
  });

  it('a 1,000-step loop of backward(tidy(loss)) holds memory flat', () => {
    const w = variable(tensor([[0.1, 0.2], [0.3, 0.4]]));
    const x = tensor([[1, 2], [3, 4]]);
    const step = () => {
      const loss = tidy(() => mean(square(sub(softmax(linear(x, w)), 0.5))));
      backward(loss);
      loss.dispose();
      w.grad!.dispose();
      w.grad = null;
    };
    step();
    const baseline = snapshot();
    for (let i = 0; i < 1000; i++) step();
    expect(snapshot()).toEqual(baseline);
    w.dispose();
    x.dispose();
  });
});

describe('composite ops free their own intermediates', () => {
  const cases: Array<[string, (x: Tensor) => Tensor | Record<string, Tensor>]> = [
    ['softmax', (x) => softmax(x)],
    ['logSoftmax', (x) => logSoftmax(x, 1)],
    ['logSumExp', (x) => logSumExp(x, 1)],
    ['mean', (x) => mean(x)],
    ['variance', (x) => variance(x, 0)],
    ['moments', (x) => moments(x, 0)],
    ['gelu', (x) => gelu(x)],
    ['softplus', (x) => softplus(x)],
    ['mul by a number', (x) => mul(x, 2)],
    ['softmaxCrossEntropy', (x) => softmaxCrossEntropy(x, tensor([[0.2, 0.3, 0.5], [1, 0, 0]]))],
  ];
  for (const [name, run] of cases) {
    it(`${name} outside tidy leaves only its output(s)`, () => {
      const x = tensor([[1, 2, 3], [0, -1, 5]]);
      const before = memory().tensors;
      const outputs = run(x);
      const list = 'shape' in outputs ? [outputs as Tensor] : Object.values(outputs);
      // softmaxCrossEntropy's probability labels are the test's own tensor, made inside `run`.
      const extra = name === 'softmaxCrossEntropy' ? 1 : 0;
      expect(memory().tensors).toBe(before + list.length + extra);
      list.forEach((t) => t.dispose());
      x.dispose();
    });
  }

  it('softmaxCrossEntropy with int32 labels, fused and composed, leaves only the loss', () => {
    for (const backend of [createCpuBackend(), { ...createCpuBackend(), softmaxCrossEntropy: undefined }]) {
      engine.withBackend(backend, () => {
        const logits = tensor([[1, 2, 3], [0, -1, 5]]);
        const labels = tensor([2, 1], [2], 'int32');
        const before = memory().tensors;
        const loss = softmaxCrossEntropy(logits, labels);
        expect(memory().tensors).toBe(before + 1);
        loss.dispose();
        logits.dispose();
        labels.dispose();
      });
    }
  });

  it('adamUpdate composed from ops (no fused kernel) leaves only its three outputs', () => {
    engine.withBackend({ ...createCpuBackend(), adamUpdate: undefined }, () => {
      const [param, gradient, first, second] = [tensor([1, 2]), tensor([0.5, -0.5]), tensor([0, 0]), tensor([0, 0])];
      const before = memory().tensors;
      const out = adamUpdate(param, gradient, first, second, { stepSize: 0.1, beta1: 0.9, beta2: 0.999, epsilon: 1e-8 });
      expect(memory().tensors).toBe(before + 3);
      for (const t of [param, gradient, first, second, out.param, out.firstMoment, out.secondMoment]) t.dispose();
    });
  });

  it('a composite of a variable keeps its graph until backward, then frees it', () => {
    const w = variable(tensor([[1, 2, 3]]));
    const baseline = snapshot();
    const probabilities = softmax(w);
    backward(sum(mul(probabilities, tensor([[1, 0, 0]]))), undefined);
    expect(w.grad).not.toBeNull();
    w.grad!.dispose();
    w.grad = null;
    probabilities.dispose();
    // The constant [[1, 0, 0]], the product and the loss were made outside tidy: the caller holds
    // them; softmax's own intermediates (saved until backward) are gone.
    expect(memory().tensors).toBe(baseline.tensors + 3);
    w.dispose();
  });
});

describe('tidy on error, odd results and nesting', () => {
  it('frees what the function made when it throws, then rethrows (also nested)', () => {
    const before = snapshot();
    expect(() => tidy(() => {
      zeros([3]);
      tidy(() => {
        zeros([4]);
        throw new Error('bad batch');
      });
    })).toThrow('bad batch');
    expect(snapshot()).toEqual(before);
  });

  it('frees what grad() and valueAndGrad() made when the function throws', () => {
    const x = tensor([1, 2]);
    const before = snapshot();
    expect(() => grad((t) => {
      square(t);
      throw new Error('in grad');
    })(x)).toThrow('in grad');
    expect(() => valueAndGrad((t: Tensor): Tensor => {
      sum(square(t));
      throw new Error('in valueAndGrad');
    })(x)).toThrow('in valueAndGrad');
    expect(snapshot()).toEqual(before);
    x.dispose();
  });

  it('frees the intermediates of a composite op that fails half-way', () => {
    const x = tensor([[1, 2], [3, 4]]);
    const before = snapshot();
    expect(() => softmaxCrossEntropy(x, tensor([[1, 0, 0], [0, 1, 0]]))).toThrow(/softmaxCrossEntropy/);
    // The bad labels tensor is the caller's (made in the call expression); nothing else is left.
    expect(memory().tensors).toBe(before.tensors + 1);
    x.dispose();
  });

  it('keeps tensors returned in a Map or a Set', () => {
    const before = memory().tensors;
    const { map, set } = tidy(() => ({ map: new Map([['a', zeros([1])]]), set: new Set([zeros([2])]) }));
    expect(memory().tensors).toBe(before + 2);
    expect(Array.from(map.get('a')!.dataSync())).toEqual([0]);
    for (const t of set) expect(Array.from(t.dataSync())).toEqual([0, 0]);
    map.get('a')!.dispose();
    for (const t of set) t.dispose();
    expect(memory().tensors).toBe(before);
  });

  it('handles a cyclic and a 10,000-deep result without overflowing the stack', () => {
    const before = memory().tensors;
    const cyclic = tidy(() => {
      const node: { value: Tensor; self?: unknown } = { value: zeros([1]) };
      node.self = node;
      zeros([5]);
      return node;
    });
    expect(memory().tensors).toBe(before + 1);
    cyclic.value.dispose();
    const deep = tidy(() => {
      let list: unknown = zeros([1]);
      for (let i = 0; i < 10_000; i++) list = [list];
      return list;
    });
    expect(memory().tensors).toBe(before + 1);
    let inner: unknown = deep;
    while (Array.isArray(inner)) inner = inner[0];
    (inner as Tensor).dispose();
    expect(memory().tensors).toBe(before);
  });

  it('rejects a non-function', () => {
    expect(() => tidy(5 as unknown as () => void)).toThrow("tidy: argument 'fn' must be a function, got the number 5");
  });
});

describe('auxiliary outputs of gradient calls', () => {
  it('variableGrads with hasAux returns value, aux and grads; aux is detached and kept', () => {
    const w = variable(tensor([[1, -1], [2, 0]]));
    const x = tensor([[1, 2], [3, 1]]);
    const labels = tensor([0, 1], [2], 'int32');
    const before = memory().tensors;
    const { value, aux, grads } = variableGrads(() => {
      const logits = linear(x, w);
      return [softmaxCrossEntropy(logits, labels), { logits, correct: sum(equal(argmax(logits, 1), labels)) }] as const;
    }, [w], { hasAux: true });
    // value, two aux tensors and one gradient: nothing else survives the step.
    expect(memory().tensors).toBe(before + 4);
    expect(aux.logits.gradNode).toBeNull();
    expect(Array.from(aux.logits.dataSync())).toEqual([5, -1, 5, -3]);
    expect(aux.correct.dataSync()[0]).toBe(1);
    const plain = variableGrads(() => softmaxCrossEntropy(linear(x, w), labels), [w]);
    expectClose(grads[0].dataSync(), plain.grads[0].dataSync());
    expectClose(value.dataSync(), plain.value.dataSync());
    for (const t of [value, aux.logits, aux.correct, ...grads, plain.value, ...plain.grads]) t.dispose();
    expect(memory().tensors).toBe(before);
    w.dispose();
  });

  it('valueAndGrad with hasAux differentiates only the loss', () => {
    const before = memory().tensors;
    const { value, aux, grads } = valueAndGrad((t: Tensor) => {
      const squares = square(t);
      return [sum(squares), [squares]] as const;
    }, { hasAux: true })(tensor([1, 2, 3]));
    expect(value.dataSync()[0]).toBe(14);
    expect(Array.from(aux[0].dataSync())).toEqual([1, 4, 9]);
    expect(Array.from(grads[0].dataSync())).toEqual([2, 4, 6]);
    // The argument tensor, value, aux and the gradient.
    expect(memory().tensors).toBe(before + 4);
    for (const t of [value, aux[0], grads[0]]) t.dispose();
  });

  it('detaches a cyclic or 10,000-deep aux without overflowing the stack', () => {
    const before = memory().tensors;
    const { value, aux, grads } = valueAndGrad((t: Tensor) => {
      let deep: unknown = square(t);
      for (let i = 0; i < 10_000; i++) deep = [deep];
      const cyclic: { self?: unknown; deep: unknown } = { deep };
      cyclic.self = cyclic;
      return [sum(t), cyclic] as const;
    }, { hasAux: true })(tensor([1, 2]));
    expect(aux.self).toBe(aux);
    let inner: unknown = aux.deep;
    while (Array.isArray(inner)) inner = inner[0];
    expect(Array.from((inner as Tensor).dataSync())).toEqual([1, 4]);
    expect((inner as Tensor).gradNode).toBeNull();
    for (const t of [value, inner as Tensor, ...grads]) t.dispose();
    // Only the argument tensor is left.
    expect(memory().tensors).toBe(before + 1);
  });

  it('says what is wrong when hasAux is set but the function returns a bare tensor', () => {
    expect(() => valueAndGrad((t: Tensor) => sum(t) as unknown as readonly [Tensor, unknown], { hasAux: true })(tensor([1])))
      .toThrow(/valueAndGrad: with \{ hasAux: true \} the function must return \[loss, aux\]/);
  });
});

describe('keep() across the new scopes', () => {
  it('a tensor kept inside a composite-heavy tidy survives', () => {
    let kept: Tensor | undefined;
    tidy(() => {
      kept = keep(softmax(tensor([1, 2])));
    });
    expectClose(kept!.dataSync(), [0.2689414, 0.7310586]);
    kept!.dispose();
  });
});
