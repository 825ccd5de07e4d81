import { describe, expect, it } from 'vitest';
import type { BinaryOp, FusedActivation, UnaryOp } from '../../backend/backend.js';
import type { CpuAccelerator } from './accelerator.js';
import { createCpuBackend } from './cpu-backend.js';
import { plainKernelContext } from './kernel-context.js';
import { binary } from './kernels/binary.js';
import { referenceGemm } from './kernels/gemm.js';
import { unary } from './kernels/unary.js';
import { expectClose, naiveMatmul, randomFloats, readValues, seededRandom, tensorOf } from './test-helpers.js';

/** An accelerator that records each call and either computes with the reference kernels or declines. */
function recordingAccelerator(accept: boolean) {
  const calls: string[] = [];
  const allocated = new Set<Float32Array>();
  const freed: Float32Array[] = [];
  const plain = plainKernelContext();
  const accelerator: CpuAccelerator = {
    implementation: 'fake-simd',
    threads: 3,
    notes: ['fake for tests'],
    allocate(length) {
      const array = new Float32Array(length).fill(NaN); // garbage, so a missing overwrite shows
      allocated.add(array);
      return array;
    },
    free(array) {
      freed.push(array);
    },
    matmul(a, b, out, m, n, k, transposeA, transposeB, bias, activation: FusedActivation) {
      calls.push(`matmul ${m}x${k}x${n} ${transposeA} ${transposeB} ${bias === null ? 'no-bias' : 'bias'} ${activation}`);
      if (!accept) return false;
      referenceGemm(a, 0, b, 0, out, 0, m, n, k, transposeA, transposeB, bias, activation);
      return true;
    },
    unary(op: UnaryOp, x, out) {
      calls.push(`unary ${op}`);
      if (!accept) return false;
      out.set(unary(plain, op, { values: x, shape: [x.length], dtype: 'float32' }));
      return true;
    },
    binary(op: BinaryOp, a, b, out) {
      calls.push(`binary ${op} ${b.length === 1 ? 'scalar' : 'same'}`);
      if (!accept) return false;
      const bShape = b.length === 1 ? [] : [b.length];
      out.set(binary(plain, op, { values: a, shape: [a.length], dtype: 'float32' },
        { values: b, shape: bShape, dtype: 'float32' }, [a.length], 'float32'));
      return true;
    },
    sumLastAxis(x, out, rows, cols) {
      calls.push(`sum ${rows}x${cols}`);
      if (!accept) return false;
      for (let row = 0; row < rows; row++) {
        let sum = 0;
        for (let col = 0; col < cols; col++) sum += x[row * cols + col];
        out[row] = sum;
      }
      return true;
    },
  };
  return { accelerator, calls, allocated, freed };
}

describe('createCpuBackend', () => {
  const random = seededRandom(16);

  it('uploads, reads (sync and async, as copies), counts memory and disposes', async () => {
    const backend = createCpuBackend();
    expect(backend.name).toBe('cpu');
    const id = backend.upload(new Float32Array([1, 2, 3]), [3], 'float32');
    const ints = backend.upload(new Int32Array([4, 5]), [2], 'int32');
    expect(backend.memory()).toEqual({ buffers: 2, bytes: 20 });
    const read = backend.readSync(id, 'float32');
    read[0] = 99;
    expect(Array.from(await backend.read(id, 'float32'))).toEqual([1, 2, 3]);
    expect(Array.from(await backend.read(ints, 'int32'))).toEqual([4, 5]);
    backend.dispose(id);
    backend.dispose(id);
    expect(backend.memory()).toEqual({ buffers: 1, bytes: 8 });
    expect(() => backend.readSync(id, 'float32')).toThrow(/not live/);
    await expect(backend.read(id, 'float32')).rejects.toThrow(/not live/);
    expect(() => backend.unary('exp', { dataId: id, shape: [3], dtype: 'float32' })).toThrow(/not live/);
  });

  it('refuses mismatched uploads and tensor descriptions with clear errors', () => {
    const backend = createCpuBackend();
    expect(() => backend.upload(new Float32Array(3), [2, 2], 'float32')).toThrow(/3 values for shape \[2, 2\]/);
    expect(() => backend.upload(new Float32Array(2), [2], 'int32')).toThrow(/dtype int32 but got a Float32Array/);
    const id = backend.upload(new Float32Array(4), [4], 'float32');
    expect(() => backend.unary('exp', { dataId: id, shape: [5], dtype: 'float32' })).toThrow(/4 values.*\[5\] needs 5/);
    expect(() => backend.readSync(id, 'int32')).toThrow(/asked for int32/);
    const other = createCpuBackend();
    expect(() => other.readSync(id, 'float32')).toThrow(/not live here/);
  });

  it('keeps backends independent and reports typescript without an accelerator', () => {
    const first = createCpuBackend();
    const second = createCpuBackend();
    first.fill([10], 1, 'float32');
    expect(second.memory()).toEqual({ buffers: 0, bytes: 0 });
    expect(first.info()).toMatchObject({ name: 'cpu', implementation: 'typescript', threads: 1 });
  });

  for (const accept of [true, false]) {
    it(`consults the accelerator first (${accept ? 'accepting' : 'declining, so the reference runs'})`, () => {
      const fake = recordingAccelerator(accept);
      const backend = createCpuBackend({ accelerator: fake.accelerator });
      expect(backend.info()).toMatchObject({ implementation: 'fake-simd', threads: 3, notes: ['fake for tests'] });

      const a = randomFloats(6 * 5, random);
      const b = randomFloats(5 * 7, random);
      const bias = randomFloats(7, random);
      const aTensor = tensorOf(backend, a, [6, 5]);
      const bTensor = tensorOf(backend, b, [5, 7]);
      const product = naiveMatmul(a, [6, 5], b, [5, 7], false, false).values;
      expectClose(readValues(backend, backend.matmul(aTensor, bTensor, false, false, [6, 7])), product, 1e-5, 1e-5);
      const fused = backend.fusedMatmul!(aTensor, bTensor, tensorOf(backend, bias, [7]), 'relu', false, false, [6, 7]);
      expectClose(readValues(backend, fused), product.map((v, i) => Math.max(0, v + bias[i % 7])), 1e-5, 1e-5);

      const exp = readValues(backend, backend.unary('exp', aTensor));
      expectClose(exp, Array.from(a, Math.exp), 1e-6, 1e-6);
      const doubled = readValues(backend, backend.binary('add', aTensor, aTensor, [6, 5], 'float32'));
      expectClose(doubled, Array.from(a, (v) => 2 * v), 1e-6, 1e-6);
      const scaled = backend.binary('mul', aTensor, tensorOf(backend, new Float32Array([3]), []), [6, 5], 'float32');
      expectClose(readValues(backend, scaled), Array.from(a, (v) => 3 * v), 1e-6, 1e-6);
      const rowSums = readValues(backend, backend.reduce('sum', aTensor, [1]));
      expectClose(rowSums, [0, 1, 2, 3, 4, 5].map((row) => a.slice(row * 5, row * 5 + 5).reduce((s, v) => s + v, 0)), 1e-5, 1e-5);

      const conv = backend.conv2d(tensorOf(backend, randomFloats(2 * 4 * 4 * 3, random), [2, 4, 4, 3]),
        tensorOf(backend, randomFloats(3 * 3 * 3 * 2, random), [3, 3, 3, 2]), {
          batch: 2, inHeight: 4, inWidth: 4, inChannels: 3, outHeight: 4, outWidth: 4, outChannels: 2,
          filterHeight: 3, filterWidth: 3, strideHeight: 1, strideWidth: 1, dilationHeight: 1, dilationWidth: 1,
          padTop: 1, padLeft: 1,
        });
      expect(readValues(backend, conv).every(Number.isFinite)).toBe(true);

      expect(fake.calls).toEqual([
        'matmul 6x5x7 false false no-bias linear',
        'matmul 6x5x7 false false bias relu',
        'unary exp',
        'binary add same',
        'binary mul scalar',
        'sum 6x5',
        'matmul 32x27x2 false false no-bias linear',
      ]);
    });
  }

  it('holds float32 and int32 buffers in accelerator memory, frees them on dispose, and swaps accelerators', () => {
    const fake = recordingAccelerator(true);
    const backend = createCpuBackend();
    const before = backend.fill([4], 1, 'float32');
    backend.setAccelerator(fake.accelerator);
    expect(backend.info().implementation).toBe('fake-simd');
    const uploaded = backend.upload(new Float32Array([1, 2]), [2], 'float32');
    const filled = backend.fill([3], 2, 'float32');
    const ints = backend.fill([3], 2, 'int32');
    const zeros = backend.scatterAdd(tensorOf(backend, new Float32Array([5]), [1]),
      tensorOf(backend, new Int32Array([1]), [1]), 0, [3]);
    expect(Array.from(backend.readSync(zeros, 'float32'))).toEqual([0, 5, 0]);
    expect(Array.from(backend.readSync(uploaded, 'float32'))).toEqual([1, 2]);
    expect(fake.allocated.size).toBeGreaterThanOrEqual(4);
    // The int32 buffer is a view over a block of the accelerator's.
    const intValues = backend.readSync(ints, 'int32');
    expect(Array.from(intValues)).toEqual([2, 2, 2]);

    backend.dispose(filled);
    backend.dispose(ints);
    backend.dispose(before);
    expect(fake.freed.length).toBe(2);
    backend.setAccelerator(null);
    backend.dispose(uploaded);
    expect(fake.freed.length).toBe(3);
    expect(backend.info().implementation).toBe('typescript');
  });
});
