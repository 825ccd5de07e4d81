import type { BinaryOp, FusedActivation, UnaryOp } from '../../../backend/backend.js';
import type { CpuAccelerator } from '../accelerator.js';
import { planElementwise, planMatmulGrid, unitsPerChunk } from './chunk-plan.js';
import { OperandStaging, runStaged } from './operand-staging.js';
import type { KernelThreadPool } from './thread-pool.js';
import type { WasmInstructionSet } from './instruction-set.js';
import { createAdamKernels } from './wasm-adam.js';
import { createConvKernels } from './wasm-conv.js';
import { createConvPoolKernels } from './wasm-conv-pool.js';
import { createInt8Kernels } from './wasm-int8.js';
import type { WasmHeap } from './wasm-heap.js';
import { createPoolKernels } from './wasm-pool.js';

/** The WebAssembly SIMD accelerator: the {@link CpuAccelerator} contract plus its own lifetime. */
export interface WasmAccelerator extends CpuAccelerator {
  /** Stops the worker threads (later calls run single-threaded). Memory handed out stays valid. */
  dispose(): void;
  /** Bytes of wasm memory in live blocks from allocate (and in-flight temporaries, and the int8 kernels' resident packed weights). */
  readonly liveBytes: number;
  /** The kernel build that runs: 'relaxed-simd' (fused multiply-add in matmul and conv) or 'simd128'. */
  readonly instructionSet: WasmInstructionSet;
}

/** Below this many multiply-adds the TypeScript kernel is as fast as a call into wasm. */
const MATMUL_MIN_MACS = 4096;
/** Elementwise arrays shorter than this stay on the TypeScript path (the call overhead dominates). */
const ELEMENTWISE_MIN_LENGTH = 1 << 14;
/** exp, tanh and sigmoid cost ~20x an add, so threads pay off on shorter arrays. */
const TRANSCENDENTAL_PARALLEL_MIN_LENGTH = 1 << 15;
/**
 * Rough single-thread throughputs (per µs) from which the pool estimates a call's cost when it
 * decides whether sleeping workers are worth waking (see KernelThreadPool.run).
 */
const MACS_PER_MICROSECOND = 20_000;
const CHEAP_ELEMENTS_PER_MICROSECOND = 2_500;
const TRANSCENDENTAL_ELEMENTS_PER_MICROSECOND = 400;

// Codes shared with assembly/simd-math.ts and assembly/elementwise.ts.
const ACTIVATION_CODES: Record<FusedActivation, number> = { linear: 0, relu: 1, sigmoid: 2, tanh: 3 };
const UNARY_CODES: Partial<Record<UnaryOp, number>> = { relu: 0, sigmoid: 1, tanh: 2, exp: 3, neg: 4, abs: 5, sqrt: 6 };
const BINARY_CODES: Partial<Record<BinaryOp, number>> = {
  add: 0, sub: 1, mul: 2, div: 3, maximum: 4, minimum: 5,
  equal: 6, notEqual: 7, less: 8, lessEqual: 9, greater: 10, greaterEqual: 11,
};
/** binaryChunk's code for relu's gradient (assembly/elementwise.ts): a * (b > 0). */
const RELU_GRAD_CODE = 12;
const TRANSCENDENTAL_UNARY: ReadonlySet<UnaryOp> = new Set<UnaryOp>(['sigmoid', 'tanh', 'exp']);
const B_SCALAR = 1;
const A_SCALAR = 2;

/** Builds the accelerator object over a heap and a thread pool (see createWasmAccelerator). */
export function createAcceleratorObject(
  heap: WasmHeap, pool: KernelThreadPool, notes: readonly string[], instructionSet: WasmInstructionSet = 'simd128',
): WasmAccelerator {
  /** Whether out and an input share memory without being the very same elements. */
  const partiallyOverlaps = (input: Float32Array, out: Float32Array, length: number): boolean =>
    input.byteOffset !== out.byteOffset && heap.overlaps(input, length, out, length);

  const accelerator: WasmAccelerator = {
    implementation: 'wasm-simd',
    instructionSet,
    get threads() {
      return pool.threads;
    },
    get notes() {
      return pool.degradedReason === null ? notes : [...notes, pool.degradedReason];
    },
    get liveBytes() {
      return heap.liveBytes;
    },

    matmul(
      a: Float32Array, b: Float32Array, out: Float32Array, m: number, n: number, k: number,
      transposeA: boolean, transposeB: boolean, bias: Float32Array | null, activation: FusedActivation,
    ): boolean {
      const activationCode = ACTIVATION_CODES[activation];
      if (activationCode === undefined || !(m > 0 && n > 0 && k > 0)) return false;
      if (a.length < m * k || b.length < k * n || out.length < m * n || (bias !== null && bias.length < n)) return false;
      if (m * n * k < MATMUL_MIN_MACS) return false;
      // The kernel accumulates into out across depth blocks, so out must not alias an input.
      const outLength = m * n;
      if (heap.overlaps(a, m * k, out, outLength) || heap.overlaps(b, k * n, out, outLength)) return false;
      if (bias !== null && heap.overlaps(bias, n, out, outLength)) return false;
      const staging = new OperandStaging(heap);
      const aPointer = staging.input(a, m * k);
      const bPointer = staging.input(b, k * n);
      const biasPointer = bias === null ? 0 : staging.input(bias, n);
      const outPointer = staging.output(out, outLength);
      const flags = (transposeA ? 1 : 0) | (transposeB ? 2 : 0) | (activationCode << 2);
      const grid = planMatmulGrid(m, n, k, pool.threads);
      return runStaged(staging, () => pool.run('matmulChunk', grid.chunkCount,
        [aPointer, bPointer, outPointer, biasPointer, m, n, k, flags, grid.chunkRows, grid.chunkCols], (m * n * k) / MACS_PER_MICROSECOND));
    },

    unary(op: UnaryOp, x: Float32Array, out: Float32Array): boolean {
      const code = UNARY_CODES[op];
      const length = x.length;
      if (code === undefined || length < ELEMENTWISE_MIN_LENGTH || out.length !== length) return false;
      if (partiallyOverlaps(x, out, length)) return false;
      const staging = new OperandStaging(heap);
      const xPointer = staging.input(x, length);
      const outPointer = staging.output(out, length);
      const transcendental = TRANSCENDENTAL_UNARY.has(op);
      const plan = planElementwise(length, pool.threads, transcendental ? TRANSCENDENTAL_PARALLEL_MIN_LENGTH : undefined);
      const microseconds = length / (transcendental ? TRANSCENDENTAL_ELEMENTS_PER_MICROSECOND : CHEAP_ELEMENTS_PER_MICROSECOND);
      return runStaged(staging, () => pool.run('unaryChunk', plan.chunkCount, [code, xPointer, outPointer, length, plan.chunkLength], microseconds));
    },

    binary(op: BinaryOp, a: Float32Array, b: Float32Array, out: Float32Array): boolean {
      const code = BINARY_CODES[op];
      const length = out.length;
      if (code === undefined || length < ELEMENTWISE_MIN_LENGTH) return false;
      let scalarMode: number;
      if (a.length === length && b.length === length) scalarMode = 0;
      else if (a.length === length && b.length === 1) scalarMode = B_SCALAR;
      else if (a.length === 1 && b.length === length) scalarMode = A_SCALAR;
      else return false;
      if (partiallyOverlaps(a, out, a.length) || partiallyOverlaps(b, out, b.length)) return false;
      const staging = new OperandStaging(heap);
      const aPointer = staging.input(a, a.length);
      const bPointer = staging.input(b, b.length);
      const outPointer = staging.output(out, length);
      const plan = planElementwise(length, pool.threads);
      return runStaged(staging, () =>
        pool.run('binaryChunk', plan.chunkCount, [code, aPointer, bPointer, outPointer, length, plan.chunkLength, scalarMode],
          length / CHEAP_ELEMENTS_PER_MICROSECOND));
    },

    reluGrad(dy: Float32Array, output: Float32Array, out: Float32Array): boolean {
      const length = out.length;
      if (length < ELEMENTWISE_MIN_LENGTH || dy.length !== length || output.length !== length) return false;
      if (partiallyOverlaps(dy, out, length) || partiallyOverlaps(output, out, length)) return false;
      const staging = new OperandStaging(heap);
      const dyPointer = staging.input(dy, length);
      const outputPointer = staging.input(output, length);
      const outPointer = staging.output(out, length);
      const plan = planElementwise(length, pool.threads);
      return runStaged(staging, () =>
        pool.run('binaryChunk', plan.chunkCount, [RELU_GRAD_CODE, dyPointer, outputPointer, outPointer, length, plan.chunkLength, 0],
          length / CHEAP_ELEMENTS_PER_MICROSECOND));
    },

    binaryRows(op: BinaryOp, a: Float32Array, b: Float32Array, out: Float32Array, rows: number, cols: number): boolean {
      const code = BINARY_CODES[op];
      const length = rows * cols;
      if (code === undefined || length < ELEMENTWISE_MIN_LENGTH || cols < 4) return false;
      if (a.length < length || b.length < cols || out.length < length) return false;
      if (partiallyOverlaps(a, out, length) || heap.overlaps(b, cols, out, length)) return false;
      const staging = new OperandStaging(heap);
      const aPointer = staging.input(a, length);
      const bPointer = staging.input(b, cols);
      const outPointer = staging.output(out, length);
      const plan = planElementwise(length, pool.threads);
      const rowsPerChunk = Math.max(1, Math.ceil(plan.chunkLength / cols));
      return runStaged(staging, () =>
        pool.run('binaryRowsChunk', Math.ceil(rows / rowsPerChunk), [code, aPointer, bPointer, outPointer, rows, cols, rowsPerChunk],
          length / CHEAP_ELEMENTS_PER_MICROSECOND));
    },

    sumMiddleAxis(x: Float32Array, out: Float32Array, outer: number, reduced: number, inner: number): boolean {
      const length = outer * reduced * inner;
      const outLength = outer * inner;
      if (length < ELEMENTWISE_MIN_LENGTH || reduced < 1 || inner < 1 || x.length < length || out.length < outLength) return false;
      if (heap.overlaps(x, length, out, outLength)) return false;
      const staging = new OperandStaging(heap);
      const xPointer = staging.input(x, length);
      const outPointer = staging.output(out, outLength);
      // A group is up to 8 columns of one outer index; each is summed in order, so chunking never changes bits.
      const groups = outer * Math.ceil(inner / 8);
      const groupsPerChunk = unitsPerChunk(groups, pool.threads, 2);
      return runStaged(staging, () =>
        pool.run('sumMiddleAxisChunk', Math.ceil(groups / groupsPerChunk), [xPointer, outPointer, outer, reduced, inner, groupsPerChunk],
          length / CHEAP_ELEMENTS_PER_MICROSECOND));
    },

    sumLastAxis(x: Float32Array, out: Float32Array, rows: number, cols: number): boolean {
      const length = rows * cols;
      if (length < ELEMENTWISE_MIN_LENGTH || cols < 4 || x.length < length || out.length < rows) return false;
      if (heap.overlaps(x, length, out, rows)) return false;
      const staging = new OperandStaging(heap);
      const xPointer = staging.input(x, length);
      const outPointer = staging.output(out, rows);
      const plan = planElementwise(length, pool.threads);
      const rowsPerChunk = Math.max(1, Math.ceil(plan.chunkLength / cols));
      const chunkCount = Math.ceil(rows / rowsPerChunk);
      return runStaged(staging, () =>
        pool.run('sumLastAxisChunk', chunkCount, [xPointer, outPointer, rows, cols, rowsPerChunk], length / CHEAP_ELEMENTS_PER_MICROSECOND));
    },

    ...createConvKernels(heap, pool),
    ...createConvPoolKernels(heap, pool),
    ...createPoolKernels(heap, pool),
    ...createInt8Kernels(heap, pool),
    ...createAdamKernels(heap, pool),

    dispose(): void {
      pool.dispose();
    },
  };

  if (heap.shared) {
    // Views into a shared memory survive growth, so the backend may keep its buffers there.
    // Contents are unspecified, as with the backend's own allocate (allocateZeroed fills).
    accelerator.allocate = (length: number): Float32Array => {
      if (!Number.isInteger(length) || length < 0) {
        throw new RangeError(`wasm accelerator: allocate needs a non-negative integer length, got ${length}`);
      }
      return heap.allocateFloat32(length) ?? new Float32Array(length);
    };
    accelerator.free = (array: Float32Array): void => heap.freeFloat32(array);
  }
  return accelerator;
}
