import { describe, expect, it } from 'vitest';
import { matmul, tensor } from '@dendrite/core';
import { twoGroups } from '../test-support.js';
import { ImplicitAls, conjugateGradient } from './implicit-als.js';

describe('implicit ALS', () => {
  it('conjugateGradient solves every row\'s system at once (n steps are exact for n unknowns)', async () => {
    // A x = b with A = [[4, 1, 0], [1, 3, 1], [0, 1, 2]] applied to rows: x·A; two right-hand sides.
    const a = tensor([[4, 1, 0], [1, 3, 1], [0, 1, 2]]);
    const b = tensor([[1, 2, 3], [0, -1, 5]]);
    const x = conjugateGradient((v) => matmul(v, a), b, tensor([[0, 0, 0], [0, 0, 0]]), 3);
    const residual = (await matmul(x, a).data()).map((value, index) => value - [1, 2, 3, 0, -1, 5][index]);
    for (const value of residual) expect(Math.abs(value)).toBeLessThan(1e-4);
  });

  it('each iteration lowers the weighted objective, and hyper-parameters are checked', async () => {
    const als = new ImplicitAls({ factors: 3, alpha: 5, regularization: 0.05, conjugateGradientSteps: 3 });
    const history = await als.fit(twoGroups(), { epochs: 6, seed: 2 });
    const losses = history.epochs.map((log) => log.loss);
    for (let epoch = 1; epoch < losses.length; epoch++) expect(losses[epoch]).toBeLessThan(losses[epoch - 1] + 1e-6);
    expect(losses[5]).toBeLessThan(losses[0] * 0.9);
    als.dispose();
    expect(() => new ImplicitAls({ factors: 0 })).toThrow('ImplicitAls: factors must be an integer >= 1, got 0');
    expect(() => new ImplicitAls({ alpha: NaN })).toThrow('ImplicitAls: alpha must be a number >= 0, got NaN');
  });
});

describe('implicit ALS, sparse (CSR) solver', () => {
  it('reaches the same factors and objective as the dense solver, iteration by iteration', async () => {
    const data = twoGroups();
    const options = { factors: 3, alpha: 5, regularization: 0.05, conjugateGradientSteps: 3 };
    const dense = new ImplicitAls({ ...options, solver: 'dense' });
    const sparse = new ImplicitAls({ ...options, solver: 'sparse' });
    const denseHistory = await dense.fit(data, { epochs: 4, seed: 3 });
    const sparseHistory = await sparse.fit(data, { epochs: 4, seed: 3 });
    sparseHistory.epochs.forEach((log, epoch) => expect(log.loss).toBeCloseTo(denseHistory.epochs[epoch].loss, 5));
    const [denseScores, sparseScores] = await Promise.all([dense.scorePairs(Int32Array.of(0, 1, 2), Int32Array.of(0, 3, 5)), sparse.scorePairs(Int32Array.of(0, 1, 2), Int32Array.of(0, 3, 5))]);
    sparseScores.forEach((score, index) => expect(score).toBeCloseTo(denseScores[index], 4));
    const recommended = await sparse.recommend([0], { count: 2 });
    expect(Array.from(recommended.items)).toEqual(Array.from((await dense.recommend([0], { count: 2 })).items));
    dense.dispose();
    sparse.dispose();
    expect(() => new ImplicitAls({ solver: 'fast' as 'dense' })).toThrow('ImplicitAls: solver must be');
  });
});
