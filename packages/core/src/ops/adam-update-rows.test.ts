import { describe, expect, it } from 'vitest';
import { createCpuBackend } from '../backends/cpu/cpu-backend.js';
import { engine } from '../engine.js';
import { expectClose } from '../testing/expect-close.js';
import { adamUpdate } from './adam-update.js';
import { adamUpdateRows, assignAdamRows } from './adam-update-rows.js';
import { keep, tidy } from '../engine.js';
import { variable } from '../autograd/grad.js';
import { mul } from './mul.js';
import { sum } from './sum.js';
import { randomNormal, randomUniform } from './random.js';
import { tensor } from './creation.js';

const hyper = { stepSize: 3e-3, beta1: 0.9, beta2: 0.999, epsilon: 1e-8 };

describe('adamUpdateRows', () => {
  it('steps the listed rows as adamUpdate does and leaves every other row as it was (fused kernel and composed form)', () => {
    const rows = [7, 0, 3];
    const run = (backend: ReturnType<typeof createCpuBackend>) => engine.withBackend(backend, () => {
      const p = randomNormal([9, 4], 0, 1, 1);
      const g = randomNormal([3, 4], 0, 1, 2);
      const m = randomNormal([9, 4], 0, 0.1, 3);
      const v = randomUniform([9, 4], 0, 0.1, 4);
      const next = adamUpdateRows(p, g, tensor(Int32Array.from(rows), [3], 'int32'), m, v, hyper);
      // The reference: dense adamUpdate with the gradient rows scattered into a zero gradient.
      const rowGradient = g.dataSync();
      const denseGradient = new Float32Array(36);
      rows.forEach((row, slot) => denseGradient.set(rowGradient.subarray(slot * 4, slot * 4 + 4), row * 4));
      const dense = adamUpdate(p, tensor(denseGradient, [9, 4]), m, v, hyper);
      return { next: [next.param, next.firstMoment, next.secondMoment].map((t) => t.dataSync()), dense: [dense.param, dense.firstMoment, dense.secondMoment].map((t) => t.dataSync()), before: [p, m, v].map((t) => t.dataSync()) };
    });
    const fused = run(createCpuBackend());
    const composed = run({ ...createCpuBackend(), adamUpdateRows: undefined });
    fused.next.forEach((values, i) => expectClose(values, composed.next[i], { atol: 1e-6, rtol: 1e-5 }));
    for (let tensorIndex = 0; tensorIndex < 3; tensorIndex++) {
      for (let i = 0; i < 36; i++) {
        const listed = rows.includes(Math.floor(i / 4));
        // Listed rows: as dense Adam; the rest: untouched (dense Adam would have decayed and moved them).
        expect(fused.next[tensorIndex][i]).toBeCloseTo(listed ? fused.dense[tensorIndex][i] : fused.before[tensorIndex][i], 6);
      }
    }
    expect(fused.dense[0][4]).not.toBeCloseTo(fused.before[0][4], 6);
  });

  it('refuses repeated or out-of-range rows and gradients of the wrong shape, naming the problem', () => {
    const p = tensor(new Float32Array(8), [4, 2]);
    const zeros = () => tensor(new Float32Array(8), [4, 2]);
    const g = tensor(new Float32Array(4), [2, 2]);
    expect(() => adamUpdateRows(p, g, tensor([1, 1], [2], 'int32'), zeros(), zeros(), hyper)).toThrow(/row 1 appears twice/);
    expect(() => adamUpdateRows(p, g, tensor([1, 4], [2], 'int32'), zeros(), zeros(), hyper)).toThrow(/row 4 at position 1 is outside \[0, 4\)/);
    expect(() => adamUpdateRows(p, tensor(new Float32Array(6), [3, 2]), tensor([1, 2], [2], 'int32'), zeros(), zeros(), hyper)).toThrow(/rowGradients float32 \[3, 2\] must be float32 \[2, 2\]/);
    expect(() => adamUpdateRows(p, g, tensor([1, 2], [2]), zeros(), zeros(), hyper)).toThrow(/rows must be a rank-1 int32 tensor/);
    expect(() => adamUpdateRows(p, g, tensor([1, 2], [2], 'int32'), tensor(new Float32Array(6), [3, 2]), zeros(), hyper)).toThrow(/first moment/);
  });

  it('assignAdamRows writes the stepped rows into the tensors in place, or assigns copies when a buffer is shared or saved', () => {
    const rows = tensor([2, 0], [2], 'int32');
    const g = randomNormal([2, 3], 0, 1, 5);
    // tidy frees the random tensor, so the variable alone holds its buffer.
    const make = () => ({ p: tidy(() => variable(randomNormal([4, 3], 0, 1, 6))), m: keep(randomNormal([4, 3], 0, 0.1, 7)), v: keep(randomUniform([4, 3], 0, 0.1, 8)) });
    const reference = make();
    const expected = adamUpdateRows(reference.p, g, rows, reference.m, reference.v, hyper);
    const check = (state: ReturnType<typeof make>) => {
      expectClose(state.p.dataSync(), expected.param.dataSync(), { atol: 1e-7 });
      expectClose(state.m.dataSync(), expected.firstMoment.dataSync(), { atol: 1e-7 });
      expectClose(state.v.dataSync(), expected.secondMoment.dataSync(), { atol: 1e-7 });
    };
    // Alone: in place (the buffer identity stays).
    const alone = make();
    const buffer = alone.p.dataId;
    assignAdamRows(alone.p, g, rows, alone.m, alone.v, hyper);
    check(alone);
    expect(alone.p.dataId).toBe(buffer);
    // Shared: a second tensor views the same buffer; it must keep the old values.
    const shared = make();
    const before = shared.p.dataSync();
    const view = variable(shared.p);
    assignAdamRows(shared.p, g, rows, shared.m, shared.v, hyper);
    check(shared);
    expectClose(view.dataSync(), before, { atol: 0 });
    // Saved by a gradient rule not yet run: the rule's input must not change under it.
    const saved = make();
    const savedBefore = saved.p.dataSync();
    const product = mul(saved.p, saved.p);
    assignAdamRows(saved.p, g, rows, saved.m, saved.v, hyper);
    check(saved);
    expect(sum(product).dataSync()[0]).toBeCloseTo(Array.from(savedBefore).reduce((total, value) => total + value * value, 0), 4);
    expect(() => assignAdamRows(alone.p, g, rows, alone.m, alone.m, hyper)).toThrow(/three different tensors/);
  });
});

