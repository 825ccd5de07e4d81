import { unitsPerChunk } from './chunk-plan.js';
import { OperandStaging, runStaged } from './operand-staging.js';
import type { KernelThreadPool } from './thread-pool.js';
import type { WasmHeap } from './wasm-heap.js';

/** Rough single-thread int8 multiply-adds per µs, for the thread pool's decision to wake workers. */
const INT8_MACS_PER_MICROSECOND = 40_000;
/** Below this many multiply-adds the TypeScript reference is as fast as a call into wasm. */
const INT8_MIN_MACS = 4096;

/** Depth rounded up to whole 8-lane i16 vectors (assembly/int8.ts's int8PaddedDepth). */
export function int8PaddedDepth(depth: number): number {
  return (depth + 7) & ~7;
}

/** The int8 method of the accelerator (assembly/int8.ts), rows spread over the threads. */
export interface WasmInt8Kernels {
  int8Linear(
    x: Float32Array, weights: Int32Array, weightScales: Float32Array, bias: Float32Array | null, out: Float32Array,
    m: number, n: number, k: number, inputScale: number, relu: boolean,
  ): boolean;
}

/** The int8 kernels over `heap`, run on `pool`. */
export function createInt8Kernels(heap: WasmHeap, pool: KernelThreadPool): WasmInt8Kernels {
  // The weights [n, k] arrive as int32 values in [-127, 127]; the kernel reads them as i16 rows padded
  // to 8 lanes (widened once here rather than in its inner loop). The packed copy is made once per
  // weight buffer (a backend-owned cache: the weak key lets it go with the buffer) and copied into
  // wasm memory per call, a memcpy of 2·n·k bytes.
  const packed = new WeakMap<Int32Array, Int16Array>();
  function packWeights(weights: Int32Array, n: number, k: number): Int16Array {
    const paddedDepth = int8PaddedDepth(k);
    let bytes = packed.get(weights);
    if (bytes === undefined || bytes.length !== n * paddedDepth) {
      bytes = new Int16Array(n * paddedDepth);
      for (let row = 0; row < n; row++) {
        for (let i = 0; i < k; i++) bytes[row * paddedDepth + i] = weights[row * k + i];
      }
      packed.set(weights, bytes);
    }
    return bytes;
  }

  return {
    int8Linear(x, weights, weightScales, bias, out, m, n, k, inputScale, relu) {
      if (!(m > 0 && n > 0 && k > 0) || m * n * k < INT8_MIN_MACS || !(inputScale >= 0)) return false;
      if (x.length < m * k || weights.length < n * k || weightScales.length < n || out.length < m * n) return false;
      if (bias !== null && bias.length < n) return false;
      if (heap.overlaps(x, m * k, out, m * n) || heap.overlaps(weightScales, n, out, m * n)) return false;
      if (bias !== null && heap.overlaps(bias, n, out, m * n)) return false;
      const paddedDepth = int8PaddedDepth(k);
      const weightBytes = packWeights(weights, n, k);
      const staging = new OperandStaging(heap);
      const xPointer = staging.input(x, m * k);
      const scalesPointer = staging.input(weightScales, n);
      const biasPointer = bias === null ? 0 : staging.input(bias, n);
      const outPointer = staging.output(out, m * n);
      const weightsPointer = staging.scratch(weightBytes.length / 2);
      // The quantized rows (m × paddedDepth i16), then one f32 scale per row.
      const workPointer = staging.scratch((m * paddedDepth) / 2 + m);
      if (!staging.exhausted) new Int16Array(heap.floats.buffer, weightsPointer, weightBytes.length).set(weightBytes);
      // Pairs of rows share each loaded weight vector, so chunks hold an even number of rows.
      let rowsPerChunk = unitsPerChunk(m, pool.threads, 4);
      rowsPerChunk += rowsPerChunk % 2;
      return runStaged(staging, () => pool.run('int8LinearChunk', Math.ceil(m / rowsPerChunk), [
        xPointer, weightsPointer, scalesPointer, biasPointer, outPointer, workPointer, m, n, k, inputScale, relu ? 1 : 0, rowsPerChunk,
      ], (m * n * k) / INT8_MACS_PER_MICROSECOND));
    },
  };
}
