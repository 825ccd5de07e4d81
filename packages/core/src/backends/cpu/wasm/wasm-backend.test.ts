import { afterAll, beforeAll, describe, it } from 'vitest';
import type { BinaryOp } from '../../../backend/backend.js';
import { createCpuBackend, type CpuBackend } from '../cpu-backend.js';
import { expectSameBits, randomFloats, readValues, seededRandom, tensorOf } from '../test-helpers.js';
import { createWasmAccelerator, type WasmAccelerator } from './index.js';

// The routes by which the CPU backend hands a CNN's elementwise work to the accelerator — a bias
// add ([N, H, W, C] + [C]), relu's mask (x > 0), the bias gradient (a sum over every axis but the
// last) — must give the TypeScript kernels' bits.
describe('cpu backend with the wasm accelerator: CNN elementwise routes', () => {
  let accelerator: WasmAccelerator;
  let accelerated: CpuBackend;
  const reference = createCpuBackend();

  beforeAll(async () => {
    accelerator = await createWasmAccelerator({ threads: 2 });
    accelerated = createCpuBackend({ accelerator });
  });
  afterAll(() => accelerator.dispose());

  const shape = [8, 28, 28, 8];
  const size = shape.reduce((a, b) => a * b);

  it('broadcasts a row vector down the rows (bias add), for arithmetic and comparisons', () => {
    const random = seededRandom(7);
    const x = randomFloats(size, random);
    const bias = randomFloats(8, random);
    for (const op of ['add', 'sub', 'mul', 'maximum', 'greater', 'lessEqual'] as BinaryOp[]) {
      const results = [accelerated, reference].map((backend) =>
        readValues(backend, backend.binary(op, tensorOf(backend, x, shape), tensorOf(backend, bias, [8]), shape, 'float32')));
      expectSameBits(results[0], results[1]);
    }
  });

  it('compares with a scalar (relu\'s gradient mask) and with a same-shape operand', () => {
    const random = seededRandom(8);
    const x = randomFloats(size, random);
    x[3] = 0;
    x[4] = -0;
    x[5] = Number.NaN;
    const y = randomFloats(size, random);
    for (const op of ['greater', 'greaterEqual', 'less', 'lessEqual', 'equal', 'notEqual'] as BinaryOp[]) {
      for (const [other, otherShape] of [[new Float32Array([0]), []], [y, shape]] as const) {
        const results = [accelerated, reference].map((backend) =>
          readValues(backend, backend.binary(op, tensorOf(backend, x, shape), tensorOf(backend, other, otherShape), shape, 'float32')));
        expectSameBits(results[0], results[1]);
      }
    }
  });

  it('sums over the leading axes (bias gradient)', () => {
    const x = randomFloats(size, seededRandom(9), -100, 100);
    const results = [accelerated, reference].map((backend) => readValues(backend, backend.reduce('sum', tensorOf(backend, x, shape), [0, 1, 2])));
    expectSameBits(results[0], results[1]);
  });
});
