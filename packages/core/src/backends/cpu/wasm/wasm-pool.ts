import type { Pool2DInfo, PoolMode } from '../../../backend/backend.js';
import { unitsPerChunk } from './chunk-plan.js';
import { OperandStaging, runStaged } from './operand-staging.js';
import type { KernelThreadPool } from './thread-pool.js';
import type { WasmHeap } from './wasm-heap.js';

/** Rough single-thread throughput (input cells per µs), for the thread pool's decision to wake workers. */
const POOLED_FLOATS_PER_MICROSECOND = 1_000;
/** Chunks per thread: images are claimed dynamically, so finer chunks shorten the wait for the last one. */
const POOL_CHUNKS_PER_THREAD = 8;

/** The pooling methods of the accelerator (assembly/pool.ts), images spread over the threads. */
export interface WasmPoolKernels {
  pool2d(x: Float32Array, out: Float32Array, info: Pool2DInfo, mode: PoolMode): boolean;
  pool2dBackward(dy: Float32Array, x: Float32Array, dx: Float32Array, info: Pool2DInfo, mode: PoolMode): boolean;
}

/** The pooling kernels over `heap`, run on `pool`. */
export function createPoolKernels(heap: WasmHeap, pool: KernelThreadPool): WasmPoolKernels {
  /** Queues one pooling call: the parameter block (see assembly/pool.ts) and the images per chunk. */
  function run(
    staging: OperandStaging, kernel: 'pool2dChunk' | 'pool2dBackwardChunk', x: number, out: number, dy: number,
    info: Pool2DInfo, mode: PoolMode,
  ): boolean {
    const { batch } = info;
    const imagesPerChunk = unitsPerChunk(batch, pool.threads, POOL_CHUNKS_PER_THREAD);
    const params = staging.words([
      x, out, dy, batch, info.inHeight, info.inWidth, info.channels, info.outHeight, info.outWidth,
      info.filterHeight, info.filterWidth, info.strideHeight, info.strideWidth, info.padTop, info.padLeft,
      mode === 'avg' ? 1 : 0, imagesPerChunk,
    ]);
    const cells = batch * info.outHeight * info.outWidth * info.channels * info.filterHeight * info.filterWidth;
    return runStaged(staging, () => pool.run(kernel, Math.ceil(batch / imagesPerChunk), [params], cells / POOLED_FLOATS_PER_MICROSECOND));
  }

  const valid = (info: Pool2DInfo, mode: PoolMode): boolean =>
    (mode === 'max' || mode === 'avg') && info.batch > 0 && info.channels > 0 && info.inHeight > 0 && info.inWidth > 0 &&
    info.outHeight > 0 && info.outWidth > 0 && info.filterHeight > 0 && info.filterWidth > 0;

  return {
    pool2d(x, out, info, mode) {
      if (!valid(info, mode)) return false;
      const xLength = info.batch * info.inHeight * info.inWidth * info.channels;
      const outLength = info.batch * info.outHeight * info.outWidth * info.channels;
      if (x.length < xLength || out.length < outLength || heap.overlaps(x, xLength, out, outLength)) return false;
      const staging = new OperandStaging(heap);
      const xPointer = staging.input(x, xLength);
      const outPointer = staging.output(out, outLength);
      return run(staging, 'pool2dChunk', xPointer, outPointer, 0, info, mode);
    },

    pool2dBackward(dy, x, dx, info, mode) {
      if (!valid(info, mode)) return false;
      const xLength = info.batch * info.inHeight * info.inWidth * info.channels;
      const dyLength = info.batch * info.outHeight * info.outWidth * info.channels;
      if (x.length < xLength || dy.length < dyLength || dx.length < xLength) return false;
      if (heap.overlaps(x, xLength, dx, xLength) || heap.overlaps(dy, dyLength, dx, xLength)) return false;
      const staging = new OperandStaging(heap);
      const xPointer = staging.input(x, xLength);
      const dyPointer = staging.input(dy, dyLength);
      const dxPointer = staging.output(dx, xLength);
      return run(staging, 'pool2dBackwardChunk', xPointer, dxPointer, dyPointer, info, mode);
    },
  };
}
