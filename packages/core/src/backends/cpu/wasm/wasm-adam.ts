import type { AdamHyperparameters } from '../../../backend/backend.js';
import { planElementwise } from './chunk-plan.js';
import { OperandStaging, runStaged } from './operand-staging.js';
import type { KernelThreadPool } from './thread-pool.js';
import type { WasmHeap } from './wasm-heap.js';

/** Below this many elements the TypeScript kernel is as fast as a call into wasm. */
const ADAM_MIN_LENGTH = 256;
/** Rough single-thread elements per µs (a float64 sqrt and divide each), for waking workers. */
const ADAM_ELEMENTS_PER_MICROSECOND = 400;
/** Arrays this long are split over the threads (shorter ones cost less than a hand-off). */
const ADAM_PARALLEL_MIN_LENGTH = 1 << 16;

/** The Adam method of the accelerator (assembly/adam.ts). */
export interface WasmAdamKernels {
  adamUpdate(
    param: Float32Array, gradient: Float32Array, firstMoment: Float32Array, secondMoment: Float32Array,
    nextParam: Float32Array, nextFirstMoment: Float32Array, nextSecondMoment: Float32Array, hyper: AdamHyperparameters,
  ): boolean;
}

/** The Adam kernel over `heap`, run on `pool`. */
export function createAdamKernels(heap: WasmHeap, pool: KernelThreadPool): WasmAdamKernels {
  return {
    adamUpdate(param, gradient, firstMoment, secondMoment, nextParam, nextFirstMoment, nextSecondMoment, hyper) {
      const length = param.length;
      if (length < ADAM_MIN_LENGTH) return false;
      const inputs = [param, gradient, firstMoment, secondMoment];
      const outputs = [nextParam, nextFirstMoment, nextSecondMoment];
      if ([...inputs, ...outputs].some((array) => array.length !== length)) return false;
      // Each element is read before it is written, so an output may be its own input, never another's.
      for (const output of outputs) {
        for (const input of inputs) {
          if (input.byteOffset !== output.byteOffset && heap.overlaps(input, length, output, length)) return false;
        }
      }
      const staging = new OperandStaging(heap);
      const pointers = [...inputs.map((array) => staging.input(array, length)), ...outputs.map((array) => staging.output(array, length))];
      // stepSize, beta1, beta2, epsilon as float64: the kernel computes in float64, as the reference does.
      const hyperPointer = staging.scratch(8);
      if (hyperPointer >= 0) {
        // A DataView: the block is only sure to be 4-byte aligned (guard words in debug mode).
        const view = new DataView(heap.floats.buffer, hyperPointer, 32);
        [hyper.stepSize, hyper.beta1, hyper.beta2, hyper.epsilon].forEach((value, index) => view.setFloat64(index * 8, value, true));
      }
      const plan = planElementwise(length, pool.threads, ADAM_PARALLEL_MIN_LENGTH);
      return runStaged(staging, () => pool.run('adamChunk', plan.chunkCount, [...pointers, length, plan.chunkLength, hyperPointer],
        length / ADAM_ELEMENTS_PER_MICROSECOND));
    },
  };
}
