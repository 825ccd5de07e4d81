import type { Conv2DInfo, FusedActivation } from '../../../backend/backend.js';
import { roundUp, unitsPerChunk } from './chunk-plan.js';
import { OperandStaging, runStaged } from './operand-staging.js';
import type { KernelThreadPool } from './thread-pool.js';
import { queueWinogradConvolution, winogradApplies, winogradFromEnvironment } from './wasm-conv.js';
import type { WasmHeap } from './wasm-heap.js';

/*
 * The convolution layer with its 2x2 max pool (assembly/conv-pool.ts) driven from JS, as the direct
 * convolution in wasm-conv.ts: the input zero-padded once, the filter packed into 8-column panels,
 * pooled rows spread over the threads; convolutions the Winograd kernel takes run there with the
 * pool fused into its output transform (assembly/winograd.ts). Its gradient's scatter runs by images. The pool alone
 * (maxPoolWithIndices) serves convolutions that another kernel computes (see conv2d-max-pool.ts).
 */

/** Output channels per filter panel (the tile width of the kernels). */
const PANEL_COLUMNS = 8;
/** Largest patch taken, as the direct convolution's (a packed panel stays in L1/L2). */
const MAX_DIRECT_PATCH = 1152;
/** Pooled rows are claimed dynamically: chunks per thread, as the convolution's rows. */
const CHUNKS_PER_THREAD = 8;
/** Rough single-thread throughputs, for the thread pool's decision to wake sleeping workers. */
const MACS_PER_MICROSECOND = 15_000;
const COPIED_FLOATS_PER_MICROSECOND = 2_000;
/** Codes of the fused activations, shared with assembly/simd-math.ts. */
const ACTIVATION_CODES: Record<FusedActivation, number> = { linear: 0, relu: 1, sigmoid: 2, tanh: 3 };

/** The fused convolution + max pool methods of the accelerator. */
export interface WasmConvPoolKernels {
  conv2dMaxPool(
    x: Float32Array, filter: Float32Array, bias: Float32Array | null, activation: FusedActivation, info: Conv2DInfo,
    pooled: Float32Array, indices: Int32Array,
  ): boolean;
  maxPoolWithIndices(
    x: Float32Array, pooled: Float32Array, indices: Int32Array, batch: number, height: number, width: number, channels: number,
  ): boolean;
  maxPoolScatter(dy: Float32Array, indices: Int32Array, dx: Float32Array, batch: number, pooledPerImage: number, cellsPerImage: number): boolean;
}

/** An int32 array as the float32 array over the same bytes (operand staging copies bytes). */
function asFloats(array: Int32Array): Float32Array {
  return new Float32Array(array.buffer, array.byteOffset, array.length);
}

/** The fused convolution + pool kernels over `heap`, run on `pool`. */
export function createConvPoolKernels(heap: WasmHeap, pool: KernelThreadPool): WasmConvPoolKernels {
  const winogradEnabled = winogradFromEnvironment();
  return {
    conv2dMaxPool(x, filter, bias, activation, info, pooled, indices) {
      const { batch, inHeight, inWidth, inChannels, outHeight, outWidth, outChannels, filterHeight, filterWidth } = info;
      // A convolution the Winograd kernel takes runs there, with the pool fused into its output transform.
      const winograd = winogradEnabled && winogradApplies(info, inChannels, outHeight, outWidth);
      const activationCode = ACTIVATION_CODES[activation];
      if (activationCode === undefined) return false;
      const pooledHeight = Math.floor(outHeight / 2);
      const pooledWidth = Math.floor(outWidth / 2);
      if (batch <= 0 || inHeight <= 0 || inWidth <= 0 || inChannels <= 0 || pooledHeight <= 0 || pooledWidth <= 0 ||
        outChannels <= 0 || filterHeight <= 0 || filterWidth <= 0 || (!winograd && filterHeight * filterWidth * inChannels > MAX_DIRECT_PATCH)) {
        return false;
      }
      const xLength = batch * inHeight * inWidth * inChannels;
      const filterLength = filterHeight * filterWidth * inChannels * outChannels;
      const pooledLength = batch * pooledHeight * pooledWidth * outChannels;
      // Flat indices into the convolution output must fit int32.
      if (batch * outHeight * outWidth * outChannels > 0x7fffffff) return false;
      if (x.length < xLength || filter.length < filterLength || pooled.length < pooledLength || indices.length < pooledLength) return false;
      if (bias !== null && bias.length !== outChannels) return false;
      const indexFloats = asFloats(indices);
      const inputs: Array<[Float32Array, number]> = [[x, xLength], [filter, filterLength]];
      if (bias !== null) inputs.push([bias, outChannels]);
      if (inputs.some(([input, length]) => heap.overlaps(input, length, pooled, pooledLength) || heap.overlaps(input, length, indexFloats, pooledLength))) {
        return false;
      }
      const staging = new OperandStaging(heap);
      const xPointer = staging.input(x, xLength);
      const filterPointer = staging.input(filter, filterLength);
      const biasPointer = bias === null ? 0 : staging.input(bias, outChannels);
      const pooledPointer = staging.output(pooled, pooledLength);
      const indicesPointer = staging.output(indexFloats, pooledLength);
      if (winograd) {
        const steps: Array<() => void> = [];
        queueWinogradConvolution(pool, staging, steps, xPointer, batch, inHeight, inWidth, inChannels, info.padTop, info.padLeft,
          filterPointer, 0, inChannels, outChannels, pooledPointer, outHeight, outWidth, outChannels, biasPointer, activationCode,
          indicesPointer);
        return runStaged(staging, () => {
          for (const step of steps) step();
        });
      }
      // Only the rows and columns the pool reads: an odd last one is never computed.
      const usedHeight = pooledHeight * 2;
      const usedWidth = pooledWidth * 2;
      const neededHeight = (usedHeight - 1) * info.strideHeight + (filterHeight - 1) * info.dilationHeight + 1;
      const neededWidth = (usedWidth - 1) * info.strideWidth + (filterWidth - 1) * info.dilationWidth + 1;
      const padded = info.padTop !== 0 || info.padLeft !== 0 || neededHeight > inHeight || neededWidth > inWidth;
      const source = padded ? staging.scratch(batch * neededHeight * neededWidth * inChannels) : xPointer;
      const sourceHeight = padded ? neededHeight : inHeight;
      const sourceWidth = padded ? neededWidth : inWidth;
      const packed = staging.scratch(roundUp(outChannels, PANEL_COLUMNS) * filterHeight * filterWidth * inChannels);
      const rows = batch * pooledHeight;
      const rowsPerChunk = unitsPerChunk(rows, pool.threads, CHUNKS_PER_THREAD);
      const params = staging.words([
        source, packed, pooledPointer, batch, sourceHeight, sourceWidth, inChannels, outHeight, outWidth, outChannels,
        filterHeight, filterWidth, info.strideHeight, info.strideWidth, info.dilationHeight, info.dilationWidth, rowsPerChunk,
        biasPointer, activationCode, indicesPointer,
      ]);
      return runStaged(staging, () => {
        if (padded) {
          const imagesPerChunk = unitsPerChunk(batch, pool.threads, 2);
          pool.run('padImagesChunk', Math.ceil(batch / imagesPerChunk), [
            xPointer, source, batch, inHeight, inWidth, inChannels, neededHeight, neededWidth, inChannels, info.padTop, info.padLeft, imagesPerChunk,
          ], (batch * neededHeight * neededWidth * inChannels) / COPIED_FLOATS_PER_MICROSECOND);
        }
        pool.run('packConvFilterChunk', 1, [filterPointer, packed, filterHeight, filterWidth, inChannels, outChannels, 0]);
        const macs = rows * 4 * pooledWidth * roundUp(outChannels, PANEL_COLUMNS) * filterHeight * filterWidth * inChannels;
        pool.run('conv2dMaxPoolChunk', Math.ceil(rows / rowsPerChunk), [params], macs / MACS_PER_MICROSECOND);
      });
    },

    maxPoolWithIndices(x, pooled, indices, batch, height, width, channels) {
      const pooledHeight = Math.floor(height / 2);
      const pooledWidth = Math.floor(width / 2);
      if (batch <= 0 || pooledHeight <= 0 || pooledWidth <= 0 || channels <= 0) return false;
      const xLength = batch * height * width * channels;
      const pooledLength = batch * pooledHeight * pooledWidth * channels;
      if (xLength > 0x7fffffff || x.length < xLength || pooled.length < pooledLength || indices.length < pooledLength) return false;
      const indexFloats = asFloats(indices);
      if (heap.overlaps(x, xLength, pooled, pooledLength) || heap.overlaps(x, xLength, indexFloats, pooledLength)) return false;
      const staging = new OperandStaging(heap);
      const xPointer = staging.input(x, xLength);
      const pooledPointer = staging.output(pooled, pooledLength);
      const indicesPointer = staging.output(indexFloats, pooledLength);
      const rows = batch * pooledHeight;
      const rowsPerChunk = unitsPerChunk(rows, pool.threads, CHUNKS_PER_THREAD);
      return runStaged(staging, () => pool.run('maxPoolIndicesChunk', Math.ceil(rows / rowsPerChunk),
        [xPointer, pooledPointer, indicesPointer, batch, height, width, channels, rowsPerChunk], xLength / COPIED_FLOATS_PER_MICROSECOND));
    },

    maxPoolScatter(dy, indices, dx, batch, pooledPerImage, cellsPerImage) {
      if (batch <= 0 || pooledPerImage <= 0 || cellsPerImage <= 0) return false;
      const pooledLength = batch * pooledPerImage;
      const dxLength = batch * cellsPerImage;
      if (dy.length < pooledLength || indices.length < pooledLength || dx.length < dxLength) return false;
      const indexFloats = asFloats(indices);
      if (heap.overlaps(dy, pooledLength, dx, dxLength) || heap.overlaps(indexFloats, pooledLength, dx, dxLength)) return false;
      const staging = new OperandStaging(heap);
      const dyPointer = staging.input(dy, pooledLength);
      const indicesPointer = staging.input(indexFloats, pooledLength);
      const dxPointer = staging.output(dx, dxLength);
      const imagesPerChunk = unitsPerChunk(batch, pool.threads, CHUNKS_PER_THREAD);
      return runStaged(staging, () => pool.run('maxPoolScatterChunk', Math.ceil(batch / imagesPerChunk),
        [dyPointer, indicesPointer, dxPointer, batch, pooledPerImage, cellsPerImage, imagesPerChunk], dxLength / COPIED_FLOATS_PER_MICROSECOND));
    },
  };
}
