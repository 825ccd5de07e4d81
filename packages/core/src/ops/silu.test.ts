import { describe, expect, it } from 'vitest';
import { gradCheck, expectClose } from '../testing/index.js';
import { tensor } from './creation.js';
import { gelu } from './gelu.js';
import { silu } from './silu.js';

const points = [-3, -1, -0.25, 0, 0.5, 2, 4];

describe('silu and gelu(tanh)', () => {
  it('match their formulas', () => {
    expectClose(silu(tensor(points)).dataSync(), new Float32Array(points.map((x) => x / (1 + Math.exp(-x)))), { atol: 1e-6, rtol: 1e-6 });
    const tanhForm = (x: number) => 0.5 * x * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (x + 0.044715 * x ** 3)));
    expectClose(gelu(tensor(points), { approximate: 'tanh' }).dataSync(), new Float32Array(points.map(tanhForm)), { atol: 1e-6, rtol: 1e-6 });
    // The approximation differs from the exact form by at most ~5e-4 here, but does differ.
    const exact = gelu(tensor(points)).dataSync();
    const approximate = gelu(tensor(points), { approximate: 'tanh' }).dataSync();
    expect(Math.max(...points.map((_, i) => Math.abs(exact[i] - approximate[i])))).toBeGreaterThan(1e-5);
    expect(() => gelu(tensor(points), { approximate: 'sigmoid' as 'tanh' })).toThrow(/gelu: approximate must be 'none' or 'tanh'/);
  });

  it('pass finite-difference gradient checks', () => {
    const values = new Float32Array(points);
    gradCheck((x) => silu(x), [{ values, shape: [7] }]);
    gradCheck((x) => gelu(x, { approximate: 'tanh' }), [{ values, shape: [7] }]);
  });
});
