import type { Conv2DInfo } from '../../../backend/backend.js';
import { unitsPerChunk } from './chunk-plan.js';
import { OperandStaging, runStaged } from './operand-staging.js';
import type { KernelThreadPool } from './thread-pool.js';
import type { WasmHeap } from './wasm-heap.js';

/** Rough single-thread int8 multiply-adds per µs, for the thread pool's decision to wake workers. */
const INT8_MACS_PER_MICROSECOND = 40_000;
/** Below this many multiply-adds the TypeScript reference is as fast as a call into wasm. */
const INT8_MIN_MACS = 4096;
/** Deepest sum the kernels take: k · 127² must stay below 2³¹ so the int32 sums cannot overflow. */
export const INT8_MAX_DEPTH = Math.floor((2 ** 31 - 1) / (127 * 127));
/** Words of int8Conv2dChunk's parameter block (assembly/int8.ts, P_*). */
const CONV_PARAMETER_WORDS = 27;

/** Depth rounded up to whole 8-lane i16 vectors (assembly/int8.ts's int8PaddedDepth). */
export function int8PaddedDepth(depth: number): number {
  return (depth + 7) & ~7;
}

/**
 * Packs int8-valued weights for the kernels: output columns in groups of 4 (n rounded up with zero
 * columns), each group as paddedDepth/8 blocks of its 4 columns' 8-lane i16 vectors side by side.
 * `valueAt(column, i)` reads weight i of output column `column`.
 */
export function packInt8Weights(n: number, k: number, valueAt: (column: number, i: number) => number): Int16Array {
  const paddedDepth = int8PaddedDepth(k);
  const groups = Math.ceil(n / 4);
  const packed = new Int16Array(groups * 4 * paddedDepth);
  for (let column = 0; column < n; column++) {
    const groupBase = (column >> 2) * 4 * paddedDepth + (column & 3) * 8;
    for (let i = 0; i < k; i++) packed[groupBase + (i >> 3) * 32 + (i & 7)] = valueAt(column, i);
  }
  return packed;
}

/**
 * Packs an int8-valued filter [kh, kw, in, out] for the convolution kernel (assembly/int8.ts,
 * directBlock): output channels in groups of 8 (`filters` rounded up with zero channels); each group
 * holds, for every filter row, run of the row and pair j of the run, two 8-lane i16 vectors —
 * channels 0–3, then 4–7 — each [w(2j, c0), w(2j+1, c0), w(2j, c1), …] (zero past the run). A
 * filter row is one run of kw · in values, or with `dilationWidth` > 1 kw runs of `in` (one per tap).
 * `valueAt(channel, i)` reads weight i ((fy · kw + fx) · in + c) of output channel `channel`.
 */
export function packInt8ConvFilter(
  filters: number, filterHeight: number, filterWidth: number, inChannels: number, dilationWidth: number,
  valueAt: (channel: number, i: number) => number,
): Int16Array {
  const segmentsPerRow = dilationWidth === 1 ? 1 : filterWidth;
  const segmentLength = dilationWidth === 1 ? filterWidth * inChannels : inChannels;
  const pairsPerSegment = (segmentLength + 1) >> 1;
  const groupLength = filterHeight * segmentsPerRow * pairsPerSegment * 16;
  const packed = new Int16Array(Math.ceil(filters / 8) * groupLength);
  for (let channel = 0; channel < filters; channel++) {
    const lane = (channel & 3) * 2 + ((channel >> 2) & 1) * 8;
    for (let segment = 0; segment < filterHeight * segmentsPerRow; segment++) {
      for (let r = 0; r < segmentLength; r++) {
        const pair = segment * pairsPerSegment + (r >> 1);
        packed[(channel >> 3) * groupLength + pair * 16 + lane + (r & 1)] = valueAt(channel, segment * segmentLength + r);
      }
    }
  }
  return packed;
}

/** The int8 methods of the accelerator (assembly/int8.ts), rows or images spread over the threads. */
export interface WasmInt8Kernels {
  int8Linear(
    x: Float32Array, weights: Int32Array, weightScales: Float32Array, bias: Float32Array | null, out: Float32Array,
    m: number, n: number, k: number, inputScale: number, relu: boolean,
  ): boolean;
  int8Conv2d(
    x: Float32Array, filter: Int32Array, filterScales: Float32Array, bias: Float32Array | null, out: Float32Array,
    info: Conv2DInfo, inputScale: number, relu: boolean, poolWindow?: readonly [number, number] | null,
  ): boolean;
}

/** A weight buffer packed into wasm memory, and the shape it was packed for. */
interface ResidentWeights {
  pointer: number;
  /** What the packing was for: the shape and the layout ('gemm' or 'direct' with its filter height). */
  key: string;
}

/** The int8 kernels over `heap`, run on `pool`. */
export function createInt8Kernels(heap: WasmHeap, pool: KernelThreadPool): WasmInt8Kernels {
  // Weights are packed once per weight buffer and stay resident in wasm memory, so no call copies
  // them (a backend-owned cache: the weak key lets it go with the buffer, and the registry then
  // frees its block). Tensors never change a buffer's values in place (assign swaps buffers), so a
  // buffer's packed copy stays true.
  const resident = new WeakMap<Int32Array, ResidentWeights>();
  const registry = new FinalizationRegistry<number>((pointer) => heap.release(pointer, false));

  // Debug top placement stacks every block under the memory's end: a resident block would sit in
  // that stack for good, so there the packed copy (kept in JS) is staged per call instead.
  const packedCopies = new WeakMap<Int32Array, { packed: Int16Array; key: string }>();

  /**
   * Where the kernel reads the packed weights: a resident block, or a per-call temporary of `staging`.
   * `key` names the packing (shape and layout); `pack` makes it.
   */
  function weightsPointer(staging: OperandStaging, weights: Int32Array, key: string, pack: () => Int16Array): number {
    if (!heap.placeAtTop) return residentWeights(weights, key, pack);
    let copy = packedCopies.get(weights);
    if (copy === undefined || copy.key !== key) {
      copy = { packed: pack(), key };
      packedCopies.set(weights, copy);
    }
    const packed = copy.packed;
    const pointer = staging.scratch(packed.length / 2);
    if (!staging.exhausted) new Int16Array(heap.memory.buffer, pointer, packed.length).set(packed);
    return pointer;
  }

  function residentWeights(weights: Int32Array, key: string, pack: () => Int16Array): number {
    const cached = resident.get(weights);
    if (cached !== undefined && cached.key === key) return cached.pointer;
    const packed = pack();
    const pointer = heap.reserve(packed.byteLength);
    if (pointer < 0) return -1;
    new Int16Array(heap.memory.buffer, pointer, packed.length).set(packed);
    if (cached !== undefined) {
      registry.unregister(cached);
      heap.release(cached.pointer, false);
    }
    const entry: ResidentWeights = { pointer, key };
    resident.set(weights, entry);
    registry.register(weights, pointer, entry);
    return pointer;
  }

  return {
    int8Linear(x, weights, weightScales, bias, out, m, n, k, inputScale, relu) {
      if (!(m > 0 && n > 0 && k > 0) || m * n * k < INT8_MIN_MACS || k > INT8_MAX_DEPTH || !(inputScale >= 0)) return false;
      if (x.length < m * k || weights.length < n * k || weightScales.length < n || out.length < m * n) return false;
      if (bias !== null && bias.length < n) return false;
      if (heap.overlaps(x, m * k, out, m * n) || heap.overlaps(weightScales, n, out, m * n)) return false;
      if (bias !== null && heap.overlaps(bias, n, out, m * n)) return false;
      const paddedDepth = int8PaddedDepth(k);
      const staging = new OperandStaging(heap);
      const packedPointer = weightsPointer(staging, weights, `gemm ${n}x${k}`, () => packInt8Weights(n, k, (column, i) => weights[column * k + i]));
      if (packedPointer < 0) return false;
      const xPointer = staging.input(x, m * k);
      const scalesPointer = staging.input(weightScales, n);
      const biasPointer = bias === null ? 0 : staging.input(bias, n);
      const outPointer = staging.output(out, m * n);
      // The quantized rows (m rounded up to even rows of paddedDepth i16), then one f32 scale per row.
      const evenRows = m + (m & 1);
      const workPointer = staging.scratch((evenRows * paddedDepth) / 2 + m);
      // Pairs of rows share each loaded weight vector, so chunks hold an even number of rows.
      let rowsPerChunk = unitsPerChunk(m, pool.threads, 4);
      rowsPerChunk += rowsPerChunk % 2;
      return runStaged(staging, () => pool.run('int8LinearChunk', Math.ceil(m / rowsPerChunk), [
        xPointer, packedPointer, scalesPointer, biasPointer, outPointer, workPointer, m, n, k, inputScale, relu ? 1 : 0, rowsPerChunk,
      ], (m * n * k) / INT8_MACS_PER_MICROSECOND));
    },

    int8Conv2d(x, filter, filterScales, bias, out, info, inputScale, relu, poolWindow = null) {
      const { batch, inHeight, inWidth, inChannels, outHeight, outWidth, outChannels, filterHeight, filterWidth } = info;
      const [poolHeight, poolWidth] = poolWindow ?? [1, 1];
      const depth = filterHeight * filterWidth * inChannels;
      const imageLength = inHeight * inWidth * inChannels;
      const pooledHeight = Math.floor(outHeight / poolHeight);
      const pooledWidth = Math.floor(outWidth / poolWidth);
      const outLength = batch * pooledHeight * pooledWidth * outChannels;
      if (!(batch > 0 && imageLength > 0 && outHeight > 0 && outWidth > 0 && outChannels > 0 && depth > 0)) return false;
      if (!(Number.isInteger(poolHeight) && Number.isInteger(poolWidth) && pooledHeight > 0 && pooledWidth > 0)) return false;
      if (depth > INT8_MAX_DEPTH || !(inputScale >= 0) || batch * outHeight * outWidth * outChannels * depth < INT8_MIN_MACS) return false;
      if (x.length < batch * imageLength || filter.length < depth * outChannels || filterScales.length < outChannels || out.length < outLength) return false;
      if (bias !== null && bias.length < outChannels) return false;
      if (heap.overlaps(x, batch * imageLength, out, outLength) || heap.overlaps(filterScales, outChannels, out, outLength)) return false;
      if (bias !== null && heap.overlaps(bias, outChannels, out, outLength)) return false;
      // Per chunk: the quantized image with its zero border (the rows and columns the windows reach),
      // and slack for a run's last pair reading one value past it.
      const paddedHeight = (outHeight - 1) * info.strideHeight + (filterHeight - 1) * info.dilationHeight + 1;
      const paddedWidth = (outWidth - 1) * info.strideWidth + (filterWidth - 1) * info.dilationWidth + 1;
      const slotBytes = Math.ceil((paddedHeight * paddedWidth * inChannels * 2 + 64) / 64) * 64;
      const imagesPerChunk = unitsPerChunk(batch, pool.threads, 2);
      const chunkCount = Math.ceil(batch / imagesPerChunk);
      const staging = new OperandStaging(heap);
      // The filter [kh, kw, in, out]: output channel c, weight i at i · out + c.
      const filterPointer = weightsPointer(staging, filter, `conv ${filterHeight}x${filterWidth}x${inChannels}x${outChannels} dilation ${info.dilationWidth === 1 ? 1 : 'n'}`,
        () => packInt8ConvFilter(outChannels, filterHeight, filterWidth, inChannels, info.dilationWidth, (channel, i) => filter[i * outChannels + channel]));
      if (filterPointer < 0) return false;
      const xPointer = staging.input(x, batch * imageLength);
      const scalesPointer = staging.input(filterScales, outChannels);
      const biasPointer = bias === null ? 0 : staging.input(bias, outChannels);
      const outPointer = staging.output(out, outLength);
      const workPointer = staging.scratch((chunkCount * slotBytes) / 4);
      const words = new Int32Array(CONV_PARAMETER_WORDS);
      words.set([
        xPointer, filterPointer, scalesPointer, biasPointer, outPointer, workPointer, batch, inHeight, inWidth, inChannels,
        outHeight, outWidth, outChannels, filterHeight, filterWidth, info.strideHeight, info.strideWidth,
        info.dilationHeight, info.dilationWidth, info.padTop, info.padLeft, 0, relu ? 1 : 0, imagesPerChunk, slotBytes,
        poolHeight, poolWidth,
      ]);
      words[21] = new Int32Array(new Float32Array([inputScale]).buffer)[0];
      const paramsPointer = staging.words(Array.from(words));
      return runStaged(staging, () => pool.run('int8Conv2dChunk', chunkCount, [paramsPointer],
        (batch * outHeight * outWidth * outChannels * depth) / INT8_MACS_PER_MICROSECOND));
    },
  };
}
