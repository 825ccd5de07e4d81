// Entry point of Dendrite's WebAssembly SIMD kernels. Every parallel kernel has the signature
// (chunk, scratch, ...arguments) so the JS thread pool can hand out chunks of one call to any thread.

import { matmulBlock, MATMUL_SCRATCH_BYTES } from './matmul';
import { WINOGRAD_SCRATCH_BYTES } from './winograd';
export { unaryChunk, binaryChunk, binaryRowsChunk, sumLastAxisChunk, sumMiddleAxisChunk } from './elementwise';
export { conv2dChunk, conv2dFilterGradChunk, sumPartialsChunk } from './conv';
export { padImagesChunk, packConvFilterChunk } from './conv-layout';
export { conv2dMaxPoolChunk, maxPoolIndicesChunk, maxPoolScatterChunk } from './conv-pool';
export { pool2dChunk, pool2dBackwardChunk } from './pool';
export { int8LinearChunk, int8Conv2dChunk } from './int8';
export { adamChunk } from './adam';
export { winogradFilterChunk, winogradChunk, winogradFilterGradChunk, winogradFilterGradOutputChunk } from './winograd';

/** Bytes of per-thread scratch memory the kernels need. */
export function scratchBytes(): i32 {
  return <i32>max(MATMUL_SCRATCH_BYTES, WINOGRAD_SCRATCH_BYTES);
}

/** First byte after the module's static data: the JS allocator starts here. */
export function heapBase(): i32 {
  return <i32>__heap_base;
}

/**
 * One chunk of a matmul: the output is cut into a grid of `chunkRows` x `chunkCols` blocks,
 * numbered row-major, and chunk `chunk` computes one of them.
 */
export function matmulChunk(
  chunk: i32, scratch: usize, a: usize, b: usize, out: usize, bias: usize,
  m: i32, n: i32, k: i32, flags: i32, chunkRows: i32, chunkCols: i32,
): void {
  const chunksPerRow = (n + chunkCols - 1) / chunkCols;
  const rowStart = (chunk / chunksPerRow) * chunkRows;
  const colStart = (chunk % chunksPerRow) * chunkCols;
  matmulBlock(scratch, a, b, out, bias, m, n, k, flags, rowStart, min(m, rowStart + chunkRows), colStart, min(n, colStart + chunkCols));
}
