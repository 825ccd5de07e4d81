import { describe, expect, it } from 'vitest';
import { UNARY_OPS, type UnaryOp } from '../../../backend/backend.js';
import { createCpuBackend } from '../cpu-backend.js';
import { expectClose, randomFloats, randomInts, readValues, seededRandom, sizeOf, tensorOf } from '../test-helpers.js';

/** erf by its Maclaurin series in double precision (accurate for |x| <= 4; beyond, erf is ±1 in float32). */
function referenceErf(x: number): number {
  if (Math.abs(x) > 4) return Math.sign(x);
  let term = x;
  let sum = x;
  for (let n = 1; n < 200; n++) {
    term *= (-x * x) / n;
    sum += term / (2 * n + 1);
  }
  return (2 / Math.sqrt(Math.PI)) * sum;
}

const REFERENCE: Record<UnaryOp, (x: number) => number> = {
  neg: (x) => -x,
  exp: Math.exp,
  log: Math.log,
  sqrt: Math.sqrt,
  abs: Math.abs,
  sign: Math.sign,
  sigmoid: (x) => 1 / (1 + Math.exp(-x)),
  tanh: Math.tanh,
  relu: (x) => Math.max(0, x),
  erf: referenceErf,
  floor: Math.floor,
  sin: Math.sin,
  cos: Math.cos,
};

describe('cpu unary', () => {
  const backend = createCpuBackend();
  const random = seededRandom(1);

  for (const op of UNARY_OPS) {
    it(`${op} matches Math on ranks 0, 1 and 4`, () => {
      for (const shape of [[], [7], [2, 3, 1, 5]]) {
        const positive = op === 'log' || op === 'sqrt';
        const values = randomFloats(sizeOf(shape), random, positive ? 0.01 : -3, 3);
        const x = tensorOf(backend, values, shape);
        const out = readValues(backend, backend.unary(op, x));
        expectClose(out, Array.from(values, REFERENCE[op]), 2e-6, 2e-6);
      }
    });
  }

  it('sigmoid stays finite and exact at large |x|', () => {
    const x = tensorOf(backend, new Float32Array([-1000, -100, 0, 100, 1000]), [5]);
    expect(Array.from(readValues(backend, backend.unary('sigmoid', x)))).toEqual([0, expect.closeTo(3.7e-44, 44), 0.5, 1, 1]);
  });

  it('sign(0) is 0 and erf is odd with erf(0) = 0', () => {
    const x = tensorOf(backend, new Float32Array([0, -2, 2, 0.5]), [4]);
    expect(Array.from(readValues(backend, backend.unary('sign', x)))).toEqual([0, -1, 1, 1]);
    const erf = readValues(backend, backend.unary('erf', x));
    expect(erf[0]).toBe(0);
    expect(erf[1]).toBeCloseTo(-0.995322265, 6);
    expect(erf[2]).toBeCloseTo(0.995322265, 6);
    expect(erf[3]).toBeCloseTo(0.520499878, 6);
  });

  it('keeps int32 for neg, abs and sign', () => {
    const values = randomInts(10, random, -5, 5);
    const x = tensorOf(backend, values, [2, 5]);
    for (const op of ['neg', 'abs', 'sign'] as const) {
      const out = readValues(backend, backend.unary(op, x), 'int32');
      expect(out).toBeInstanceOf(Int32Array);
      expect(Array.from(out)).toEqual(Array.from(values, (v) => REFERENCE[op](v) + 0));
    }
  });

  it('refuses float math on int32 with a clear error', () => {
    const x = tensorOf(backend, new Int32Array([1, 2]), [2]);
    expect(() => backend.unary('exp', x)).toThrow(/unary 'exp'.*float32.*int32/);
  });
});
