import { describe, expect, it } from 'vitest';
import type { Backend } from '../backend/backend.js';
import { createCpuBackend } from '../backends/cpu/cpu-backend.js';
import { expectSameBits } from '../backends/cpu/test-helpers.js';
import { createWasmAccelerator } from '../backends/cpu/wasm/index.js';
import { grad } from '../autograd/grad.js';
import { engine } from '../engine.js';
import type { Tensor } from '../tensor.js';
import { greater } from './comparisons.js';
import { tensor } from './creation.js';
import { mul } from './mul.js';
import { randomUniform } from './random.js';
import { relu } from './relu.js';
import { reluGrad } from './relu-grad.js';
import { sum } from './sum.js';

/** Seeded values with zeros, -0, NaN and infinities mixed in (relu's outputs get them through relu). */
function specials(length: number, seed: number): Float32Array {
  const values = randomUniform([length], -2, 2, seed).dataSync() as Float32Array;
  const mixed = [0, -0, Number.NaN, Infinity, -Infinity];
  for (let i = 0; i < length; i += 37) values[i] = mixed[(i / 37) % mixed.length];
  return values;
}

/** reluGrad's value and its gradients (d/d dy and d/d output of sum(w * reluGrad)) on `backend`, fused or composed. */
function run(backend: Backend, fused: boolean, dyValues: Float32Array, zValues: Float32Array, shape: number[]): Float32Array[] {
  return engine.withBackend(backend, () => engine.tidy(() => {
    const dy = tensor(dyValues, shape);
    const output = relu(tensor(zValues, shape));
    const weights = randomUniform(shape, -1, 1, 5);
    const form = (a: Tensor, b: Tensor) => (fused ? reluGrad(a, b) : mul(a, greater(b, 0)));
    const [dDy, dOutput] = grad((a: Tensor, b: Tensor) => sum(mul(form(a, b), weights)))(dy, output);
    return [form(dy, output), dDy, dOutput].map((t) => t.dataSync() as Float32Array);
  }));
}

describe('reluGrad', () => {
  it('gives the bits of mul(dy, greater(output, 0)), and the same gradients, on the TypeScript and wasm kernels', async () => {
    const accelerator = await createWasmAccelerator({ threads: 2 });
    const withoutKernel = createCpuBackend();
    delete (withoutKernel as { reluGrad?: unknown }).reluGrad;
    // 20,003 values go to the wasm kernel (split over both threads, ragged end); 61 stay in TypeScript.
    for (const shape of [[61], [7, 2858, 1]]) {
      const length = shape.reduce((a, b) => a * b);
      const dy = specials(length, 1);
      const z = specials(length, 2).reverse();
      for (const backend of [createCpuBackend(), createCpuBackend({ accelerator }), withoutKernel]) {
        const expected = run(backend, false, dy, z, shape);
        run(backend, true, dy, z, shape).forEach((result, index) => expectSameBits(result, expected[index]));
      }
    }
    accelerator.dispose();
  });

  it("is what relu's backward runs", () => {
    const backend = createCpuBackend();
    let calls = 0;
    const kernel = backend.reluGrad!.bind(backend);
    backend.reluGrad = (...args) => {
      calls++;
      return kernel(...args);
    };
    const [dx] = engine.withBackend(backend, () => grad((x: Tensor) => sum(relu(x)))(tensor([-1, 0, 2, -0, 3])).map((t) => t.dataSync()));
    expect(Array.from(dx)).toEqual([0, 0, 1, 0, 1]);
    expect(calls).toBe(1);
  });
});
