import { describe, expect, it } from 'vitest';
import type { FusedActivation } from '../../../backend/backend.js';
import { createCpuBackend } from '../cpu-backend.js';
import { expectClose, naiveMatmul, randomFloats, readValues, seededRandom, tensorOf } from '../test-helpers.js';

const ACTIVATIONS: Record<FusedActivation, (x: number) => number> = {
  linear: (x) => x,
  relu: (x) => Math.max(0, x),
  sigmoid: (x) => 1 / (1 + Math.exp(-x)),
  tanh: Math.tanh,
};

describe('cpu fusedMatmul', () => {
  const backend = createCpuBackend();
  const random = seededRandom(7);

  for (const activation of Object.keys(ACTIVATIONS) as FusedActivation[]) {
    it(`equals ${activation}(a @ b + bias), with and without bias and transposes`, () => {
      for (const [m, k, n] of [[1, 3, 2], [6, 5, 7], [40, 600, 150]]) {
        for (const transposeA of [false, true]) {
          for (const transposeB of [false, true]) {
            for (const withBias of [false, true]) {
              const aShape = transposeA ? [k, m] : [m, k];
              const bShape = transposeB ? [n, k] : [k, n];
              const a = randomFloats(m * k, random);
              const b = randomFloats(k * n, random);
              const bias = randomFloats(n, random);
              const product = naiveMatmul(a, aShape, b, bShape, transposeA, transposeB).values;
              const expected = product.map((value, index) =>
                ACTIVATIONS[activation](value + (withBias ? bias[index % n] : 0)));
              const out = backend.fusedMatmul!(tensorOf(backend, a, aShape), tensorOf(backend, b, bShape),
                withBias ? tensorOf(backend, bias, [n]) : null, activation, transposeA, transposeB, [m, n]);
              expectClose(readValues(backend, out), expected, 1e-4, 1e-4);
            }
          }
        }
      }
    });
  }

  it('refuses a bias of the wrong length', () => {
    const a = tensorOf(backend, randomFloats(6, random), [2, 3]);
    const b = tensorOf(backend, randomFloats(12, random), [3, 4]);
    expect(() => backend.fusedMatmul!(a, b, tensorOf(backend, randomFloats(3, random), [3]), 'relu', false, false, [2, 4]))
      .toThrow(/bias has 3 values but the product has 4 columns/);
  });
});
