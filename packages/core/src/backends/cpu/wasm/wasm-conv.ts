import type { Conv2DInfo, FusedActivation } from '../../../backend/backend.js';
import { roundUp, unitsPerChunk } from './chunk-plan.js';
import { OperandStaging, runStaged } from './operand-staging.js';
import type { KernelThreadPool } from './thread-pool.js';
import type { WasmHeap } from './wasm-heap.js';

/*
 * The direct convolution kernels (assembly/conv.ts) driven from JS: the input is zero-padded once
 * into a temporary so the kernels never test bounds, the filter is packed into 8-column panels,
 * and output rows are spread over the threads. The input gradient (stride 1) is the forward
 * kernel run over the padded dy with the filter rotated by 180° and its channels swapped; the
 * filter gradient sums per-chunk partials in a fixed order, so threads never change its bits.
 */

/** Output channels per filter panel (the tile width of the kernels). */
const PANEL_COLUMNS = 8;
/**
 * Largest patch (filterHeight * filterWidth * inChannels) taken: a packed panel (patch x 8 floats)
 * stays in L1/L2 up to here; wider patches go to im2col + the blocked matmul, which blocks the depth.
 */
const MAX_DIRECT_PATCH = 1152;
/** Input gradients with fewer input channels than this and more output channels than the next go to im2col. */
const MIN_NARROW_INPUT_CHANNELS = 4;
const MAX_NARROW_OUTPUT_CHANNELS = 16;
/**
 * Largest filter (patch x output channels) whose gradient the direct kernel takes: beyond it each
 * tile's pass over a block of pixels is too short to pay for reloading its partial sums, and the
 * blocked matmul over im2col columns was faster (3x3x64x128: 36 ms against 25 ms).
 */
const MAX_DIRECT_FILTER_GRADIENT = 16_384;
/**
 * Filter-gradient chunks: fixed (not per thread count) so the partials add up the same way
 * everywhere, and many, so that a thread that starts late or is descheduled holds up the call
 * by a small chunk (16 per call left 10-13% of a 2-thread call waiting on the last chunk).
 */
const FILTER_GRADIENT_CHUNKS = 32;
/** Partial floats (slots x patch x channels) from which their sum is split over the threads. */
const PARALLEL_PARTIAL_SUM_MIN_FLOATS = 1 << 15;
/**
 * Forward and input-gradient chunks per thread: output rows are claimed dynamically, so finer
 * chunks shorten the wait for the last one (each still holds ~15-60 µs of work in the CNN).
 */
const CONV_CHUNKS_PER_THREAD = 8;
/** Cap on the floats of all filter-gradient partials together (4 MiB). */
const MAX_PARTIAL_FLOATS = 1 << 20;
/** Rough single-thread throughputs, for the thread pool's decision to wake sleeping workers. */
const MACS_PER_MICROSECOND = 15_000;
const COPIED_FLOATS_PER_MICROSECOND = 2_000;

/**
 * Winograd F(4x4, 5x5) (assembly/winograd.ts) for stride 1, dilation 1, 5x5 filters: output pixels
 * per tile side, points per transformed tile (8 x 8), bytes of a thread's scratch for its blocks of
 * tiles (WINOGRAD_BLOCK_BYTES there) and the most tiles per block.
 */
const WINOGRAD_TILE = 4;
const WINOGRAD_POINTS = 64;
const WINOGRAD_BLOCK_BYTES = 184 * 1024;
/** Bytes the kernel leaves between the points of each of its two block arrays (POINT_SKEW there). */
const WINOGRAD_POINT_SKEW = 64;
/** (More tiles per block, 20-32, measured no faster on the CNN's conv2.) */
const WINOGRAD_MAX_BLOCK_TILES = 16;
/**
 * Fewest input channels Winograd takes: with 1-3 most of its 4-channel vectors and of its products'
 * depth is wasted (CNN conv1, 1 -> 8 channels at 28x28, one thread: forward + bias + relu 0.98 ms
 * against the direct kernel's 1.02, filter gradient 1.35 against 0.65).
 */
const WINOGRAD_MIN_CHANNELS = 4;
/** Rough single-thread throughput in direct-kernel multiply-adds per µs (2-2.7x the direct kernel's on the CNN's conv2). */
const WINOGRAD_DIRECT_MACS_PER_MICROSECOND = 2 * MACS_PER_MICROSECOND;

/** Most input channels of a Winograd call: its ring of transformed columns holds 168 (assembly/winograd.ts). */
const WINOGRAD_MAX_CHANNELS = 168;

/**
 * Tiles per Winograd block (a multiple of 4) whose two transformed arrays fit the scratch: `channels`
 * input channels, `columns` floats per tile in the second (an 8-column panel of products, or the
 * filter gradient's transformed dy); 0 when not even 4 fit.
 */
function blockTilesFitting(channels: number, columns: number): number {
  if (roundUp(channels, 4) > WINOGRAD_MAX_CHANNELS) return 0;
  const bytesPerTile = WINOGRAD_POINTS * (roundUp(channels, 4) + columns) * 4;
  const skewBytes = WINOGRAD_POINTS * 2 * WINOGRAD_POINT_SKEW;
  return Math.min(WINOGRAD_MAX_BLOCK_TILES, Math.floor((WINOGRAD_BLOCK_BYTES - skewBytes) / bytesPerTile / 4) * 4);
}

/** Tiles per Winograd block for `channels` input channels (V and M fit the scratch); 0 when not even 4 fit. */
function winogradBlockTiles(channels: number): number {
  return blockTilesFitting(channels, PANEL_COLUMNS);
}

/**
 * Fewest 4x4 tiles per call, and fewest output pixels per side: below them the filter transform, the
 * call's fixed costs and the tiles' wasted pixels outweigh the saved multiply-adds (one thread,
 * 8 -> 16 channels, forward: 1 x 8x8 outputs, 4 tiles, 12.6 µs against the direct kernel's 15.3;
 * 2 x 4x4, 2 tiles, 20.0 against 15.4; 4 x 2x2, 12.6 against 9.3).
 */
const WINOGRAD_MIN_TILES = 4;
const WINOGRAD_MIN_SIDE = 4;

/**
 * Whether the Winograd kernel takes a convolution (or a stride-1 input gradient) with `channels`
 * input channels and a [batch, outHeight, outWidth] output.
 */
export function winogradApplies(info: Conv2DInfo, channels: number, outHeight: number, outWidth: number): boolean {
  return info.filterHeight === 5 && info.filterWidth === 5 && info.strideHeight === 1 && info.strideWidth === 1 &&
    info.dilationHeight === 1 && info.dilationWidth === 1 && channels >= WINOGRAD_MIN_CHANNELS && winogradBlockTiles(channels) >= 4 &&
    outHeight >= WINOGRAD_MIN_SIDE && outWidth >= WINOGRAD_MIN_SIDE &&
    info.batch * Math.ceil(outHeight / WINOGRAD_TILE) * Math.ceil(outWidth / WINOGRAD_TILE) >= WINOGRAD_MIN_TILES;
}

/** Tiles per block of the Winograd filter gradient (V and the transformed dy fit the scratch); 0 when not even 4 fit. */
function winogradGradientBlockTiles(inChannels: number, outChannels: number): number {
  return blockTilesFitting(inChannels, roundUp(outChannels, PANEL_COLUMNS));
}


/** DENDRITE_WINOGRAD=off turns the Winograd kernel off (A/B timing against the direct kernel). */
export function winogradFromEnvironment(): boolean {
  const environment = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env;
  return environment?.DENDRITE_WINOGRAD?.trim() !== 'off';
}

/**
 * Queues on `steps` the Winograd convolution of the images at `pointer` ([batch, height, width,
 * channels], read from (-top, -left) with zeros outside them: from a padded copy, or the kernel pads
 * tile by tile, as WINOGRAD_UNPADDED says) with the 5x5 filter at `filter` (flipped and transposed for
 * the input gradient when `flip` is 1) into `out` [batch, outHeight, outWidth, columns], with the bias and activation applied
 * as it stores. With `poolIndices` (0: none) a 2x2 max pool follows in the kernel: `out` receives
 * [batch, outHeight / 2, outWidth / 2, columns] and `poolIndices` its cells' flat indices (see
 * conv2dMaxPool in wasm-conv-pool.ts).
 */
export function queueWinogradConvolution(
  pool: KernelThreadPool, staging: OperandStaging, steps: Array<() => void>, pointer: number, batch: number, height: number,
  width: number, channels: number, top: number, left: number, filter: number, flip: number, filterIn: number, filterOut: number,
  out: number, outHeight: number, outWidth: number, columns: number, bias: number, activationCode: number, poolIndices = 0,
): void {
  const tileRows = Math.ceil(outHeight / WINOGRAD_TILE);
  const tileColumns = Math.ceil(outWidth / WINOGRAD_TILE);
  if (!(flip ? WINOGRAD_UNPADDED.inputGradient : WINOGRAD_UNPADDED.forward)) {
    const source = queueWinogradPadding(pool, staging, steps, pointer, batch, height, width, channels, tileRows, tileColumns, top, left);
    [pointer, height, width, top, left] = [source.pointer, source.height, source.width, 0, 0];
  }
  const columnsRounded = roundUp(columns, PANEL_COLUMNS);
  const transformed = staging.scratch(WINOGRAD_POINTS * channels * columnsRounded);
  const channelsPerChunk = unitsPerChunk(channels, pool.threads, 1);
  steps.push(() => pool.run('winogradFilterChunk', Math.ceil(channels / channelsPerChunk),
    [filter, transformed, filterIn, filterOut, flip, columnsRounded, channelsPerChunk], (channels * columnsRounded) / 4));
  const tiles = batch * tileRows * tileColumns;
  const tilesPerChunk = unitsPerChunk(tiles, pool.threads, CONV_CHUNKS_PER_THREAD);
  const params = staging.words([
    pointer, transformed, out, batch, height, width, channels, outHeight, outWidth, columns,
    tilesPerChunk, winogradBlockTiles(channels), bias, activationCode, top, left, poolIndices,
  ]);
  const directMacs = batch * outHeight * outWidth * columns * 25 * channels;
  steps.push(() => pool.run('winogradChunk', Math.ceil(tiles / tilesPerChunk), [params], directMacs / WINOGRAD_DIRECT_MACS_PER_MICROSECOND));
}

/**
 * Which Winograd calls read their source unpadded (the kernel loads zeros for the pixels of border
 * tiles outside the image: the same numbers, the same bits) rather than from a zero-padded copy that
 * covers whole tiles. Measured on the CNN's conv2 ([64,14,14,8] -> 16, 'same': 12 of each image's 16
 * tiles cross the border), one thread, CPU time, 600 alternated calls against main's padded copy, median
 * ratio, on a loaded 2-core machine: the input gradient (dy of 16 channels) 0.95-0.97 unpadded; the
 * forward 0.999 unpadded against 0.99-1.01 padded, the pooled forward 0.997 against 0.94, the filter
 * gradient (its own kernel) 1.02-1.03 against 1.00-1.01: with 8 channels the border tiles' bounds checks
 * cost what the copy does. So only the input gradient; the filter-gradient kernel always reads a padded copy.
 */
const WINOGRAD_UNPADDED = { forward: false, inputGradient: true };

/**
 * The images at `pointer` ([batch, height, width, channels]) as a source whose rows cover
 * `neededHeight` x `neededWidth` from (top, left) outside the image (negative: inside it): the
 * images themselves when nothing needs padding, else a zero-padded copy (queued on `pending`).
 */
function paddedImageSource(
  pool: KernelThreadPool, staging: OperandStaging, pending: Array<() => void>, pointer: number, batch: number, height: number,
  width: number, channels: number, neededHeight: number, neededWidth: number, top: number, left: number,
): ImageSource {
  if (top === 0 && left === 0 && neededHeight <= height && neededWidth <= width) return { pointer, height, width };
  const padded = staging.scratch(batch * neededHeight * neededWidth * channels);
  const imagesPerChunk = unitsPerChunk(batch, pool.threads, 2);
  pending.push(() => pool.run('padImagesChunk', Math.ceil(batch / imagesPerChunk), [
    pointer, padded, batch, height, width, channels, neededHeight, neededWidth, channels, top, left, imagesPerChunk,
  ], (batch * neededHeight * neededWidth * channels) / COPIED_FLOATS_PER_MICROSECOND));
  return { pointer: padded, height: neededHeight, width: neededWidth };
}

/**
 * The zero-padded copy of the images at `pointer` (shifted by (top, left)) that covers whole Winograd
 * tiles (4 * tileRows + 4 rows, 4 * tileColumns + 4 columns); the images themselves when they already do.
 */
function queueWinogradPadding(
  pool: KernelThreadPool, staging: OperandStaging, steps: Array<() => void>, pointer: number, batch: number, height: number, width: number,
  channels: number, tileRows: number, tileColumns: number, top: number, left: number,
): ImageSource {
  return paddedImageSource(pool, staging, steps, pointer, batch, height, width, channels,
    WINOGRAD_TILE * tileRows + 4, WINOGRAD_TILE * tileColumns + 4, top, left);
}

/** Codes of the fused activations, shared with assembly/simd-math.ts. */
const ACTIVATION_CODES: Record<FusedActivation, number> = { linear: 0, relu: 1, sigmoid: 2, tanh: 3 };

/** The convolution methods of the accelerator. */
export interface WasmConvKernels {
  conv2d(
    x: Float32Array, filter: Float32Array, out: Float32Array, info: Conv2DInfo, bias?: Float32Array | null, activation?: FusedActivation,
  ): boolean;
  conv2dBackpropInput(dy: Float32Array, filter: Float32Array, dx: Float32Array, info: Conv2DInfo): boolean;
  conv2dBackpropFilter(x: Float32Array, dy: Float32Array, dFilter: Float32Array, info: Conv2DInfo): boolean;
}

function hasWork(info: Conv2DInfo): boolean {
  return info.batch > 0 && info.inHeight > 0 && info.inWidth > 0 && info.inChannels > 0 && info.outHeight > 0 &&
    info.outWidth > 0 && info.outChannels > 0 && info.filterHeight > 0 && info.filterWidth > 0;
}

/** An NHWC operand as the kernels read it: where it starts and its (possibly padded) height and width. */
interface ImageSource {
  pointer: number;
  height: number;
  width: number;
}

/** The convolution kernels over `heap`, run on `pool`. */
export function createConvKernels(heap: WasmHeap, pool: KernelThreadPool): WasmConvKernels {
  /** Whether out shares memory with an input (the kernels read inputs while they write out). */
  const aliases = (inputs: Array<[Float32Array, number]>, out: Float32Array, outLength: number): boolean =>
    inputs.some(([input, length]) => heap.overlaps(input, length, out, outLength));

  const imageSource = (
    staging: OperandStaging, pending: Array<() => void>, pointer: number, batch: number, height: number, width: number,
    channels: number, neededHeight: number, neededWidth: number, top: number, left: number,
  ): ImageSource => paddedImageSource(pool, staging, pending, pointer, batch, height, width, channels, neededHeight, neededWidth, top, left);

  const winogradEnabled = winogradFromEnvironment();

  /**
   * Queues the Winograd filter gradient of a 5x5 stride-1 convolution: per-chunk transformed sums
   * in fixed partial slots (the same count for any number of threads, so the same bits), their sum
   * in order, then Gᵀ S G per channel pair into `dFilter`.
   */
  function queueWinogradFilterGradient(
    staging: OperandStaging, steps: Array<() => void>, xPointer: number, dyPointer: number, dFilter: number, info: Conv2DInfo,
  ): void {
    const { batch, inHeight, inWidth, inChannels, outHeight, outWidth, outChannels } = info;
    const tileRows = Math.ceil(outHeight / WINOGRAD_TILE);
    const tileColumns = Math.ceil(outWidth / WINOGRAD_TILE);
    // The filter-gradient kernel reads a padded copy (see WINOGRAD_UNPADDED).
    const source = queueWinogradPadding(pool, staging, steps, xPointer, batch, inHeight, inWidth, inChannels, tileRows, tileColumns,
      info.padTop, info.padLeft);
    const channelsRounded = roundUp(inChannels, 4);
    const columnsRounded = roundUp(outChannels, PANEL_COLUMNS);
    const slotFloats = WINOGRAD_POINTS * channelsRounded * columnsRounded;
    const tiles = batch * tileRows * tileColumns;
    const chunks = Math.max(1, Math.min(tiles, FILTER_GRADIENT_CHUNKS, Math.floor(MAX_PARTIAL_FLOATS / slotFloats)));
    const tilesPerChunk = Math.ceil(tiles / chunks);
    const chunkCount = Math.ceil(tiles / tilesPerChunk);
    const partials = staging.scratch(chunkCount * slotFloats);
    const params = staging.words([
      source.pointer, dyPointer, partials, batch, source.height, source.width, inChannels, outHeight, outWidth, outChannels,
      tilesPerChunk, winogradGradientBlockTiles(inChannels, outChannels), 0, 0,
    ]);
    const directMacs = batch * outHeight * outWidth * outChannels * 25 * inChannels;
    steps.push(() => pool.run('winogradFilterGradChunk', chunkCount, [params], directMacs / WINOGRAD_DIRECT_MACS_PER_MICROSECOND));
    const entries = WINOGRAD_POINTS * channelsRounded;
    const partialFloats = chunkCount * slotFloats;
    const entriesPerChunk = partialFloats >= PARALLEL_PARTIAL_SUM_MIN_FLOATS ? unitsPerChunk(entries, pool.threads, 2) : entries;
    const sums = staging.scratch(slotFloats);
    steps.push(() => pool.run('sumPartialsChunk', Math.ceil(entries / entriesPerChunk),
      [partials, sums, chunkCount, entries, columnsRounded, entries, columnsRounded, entriesPerChunk],
      partialFloats / COPIED_FLOATS_PER_MICROSECOND));
    const channelsPerChunk = unitsPerChunk(inChannels, pool.threads, 1);
    steps.push(() => pool.run('winogradFilterGradOutputChunk', Math.ceil(inChannels / channelsPerChunk),
      [sums, dFilter, inChannels, outChannels, channelsRounded, columnsRounded, channelsPerChunk], (inChannels * outChannels) / 4));
  }

  /** Runs the queued steps and the final kernel, then releases (or copies back) the staged operands. */
  function finish(staging: OperandStaging, steps: Array<() => void>): boolean {
    return runStaged(staging, () => {
      for (const step of steps) step();
    });
  }

  /**
   * Queues the valid convolution of `source` with the packed filter at `packed` into `out`, with
   * the bias at `bias` (0: none) added and the activation `activationCode` applied as it stores.
   */
  function queueForward(
    staging: OperandStaging, steps: Array<() => void>, source: ImageSource, packed: number, out: number,
    batch: number, inChannels: number, outHeight: number, outWidth: number, outChannels: number, info: Conv2DInfo,
    strideHeight: number, strideWidth: number, bias = 0, activationCode = 0,
  ): void {
    const rows = batch * outHeight;
    const rowsPerChunk = unitsPerChunk(rows, pool.threads, CONV_CHUNKS_PER_THREAD);
    const params = staging.words([
      source.pointer, packed, out, batch, source.height, source.width, inChannels, outHeight, outWidth, outChannels,
      info.filterHeight, info.filterWidth, strideHeight, strideWidth, info.dilationHeight, info.dilationWidth, rowsPerChunk,
      bias, activationCode,
    ]);
    const macs = rows * outWidth * roundUp(outChannels, PANEL_COLUMNS) * info.filterHeight * info.filterWidth * inChannels;
    steps.push(() => pool.run('conv2dChunk', Math.ceil(rows / rowsPerChunk), [params], macs / MACS_PER_MICROSECOND));
  }

  return {
    conv2d(x, filter, out, info, bias = null, activation = 'linear') {
      const { batch, inHeight, inWidth, inChannels, outHeight, outWidth, outChannels, filterHeight, filterWidth } = info;
      const activationCode = ACTIVATION_CODES[activation];
      if (activationCode === undefined) return false;
      const winograd = winogradEnabled && winogradApplies(info, inChannels, outHeight, outWidth);
      if (!hasWork(info) || (!winograd && filterHeight * filterWidth * inChannels > MAX_DIRECT_PATCH)) return false;
      const xLength = batch * inHeight * inWidth * inChannels;
      const filterLength = filterHeight * filterWidth * inChannels * outChannels;
      const outLength = batch * outHeight * outWidth * outChannels;
      if (x.length < xLength || filter.length < filterLength || out.length < outLength) return false;
      if (bias !== null && bias.length !== outChannels) return false;
      const inputs: Array<[Float32Array, number]> = [[x, xLength], [filter, filterLength]];
      if (bias !== null) inputs.push([bias, outChannels]);
      if (aliases(inputs, out, outLength)) return false;
      const staging = new OperandStaging(heap);
      const steps: Array<() => void> = [];
      const xPointer = staging.input(x, xLength);
      const filterPointer = staging.input(filter, filterLength);
      const biasPointer = bias === null ? 0 : staging.input(bias, outChannels);
      const outPointer = staging.output(out, outLength);
      if (winograd) {
        queueWinogradConvolution(pool, staging, steps, xPointer, batch, inHeight, inWidth, inChannels, info.padTop, info.padLeft, filterPointer, 0,
          inChannels, outChannels, outPointer, outHeight, outWidth, outChannels, biasPointer, activationCode);
        return finish(staging, steps);
      }
      const neededHeight = (outHeight - 1) * info.strideHeight + (filterHeight - 1) * info.dilationHeight + 1;
      const neededWidth = (outWidth - 1) * info.strideWidth + (filterWidth - 1) * info.dilationWidth + 1;
      const source = imageSource(staging, steps, xPointer, batch, inHeight, inWidth, inChannels,
        neededHeight, neededWidth, info.padTop, info.padLeft);
      const packed = staging.scratch(roundUp(outChannels, PANEL_COLUMNS) * filterHeight * filterWidth * inChannels);
      steps.push(() => pool.run('packConvFilterChunk', 1, [filterPointer, packed, filterHeight, filterWidth, inChannels, outChannels, 0]));
      queueForward(staging, steps, source, packed, outPointer, batch, inChannels, outHeight, outWidth, outChannels, info,
        info.strideHeight, info.strideWidth, biasPointer, activationCode);
      return finish(staging, steps);
    },

    conv2dBackpropInput(dy, filter, dx, info) {
      const { batch, inHeight, inWidth, inChannels, outHeight, outWidth, outChannels, filterHeight, filterWidth } = info;
      // With stride 1 the input gradient is a plain convolution of dy; strided ones take im2col's col2im.
      if (info.strideHeight !== 1 || info.strideWidth !== 1) return false;
      const winograd = winogradEnabled && winogradApplies(info, outChannels, inHeight, inWidth);
      if (!hasWork(info) || (!winograd && filterHeight * filterWidth * outChannels > MAX_DIRECT_PATCH)) return false;
      // Its tiles are 8 input channels wide: with 1-3 of them most of each tile is wasted, which
      // im2col + col2im beats once there are many output channels to go through.
      if (!winograd && inChannels < MIN_NARROW_INPUT_CHANNELS && outChannels > MAX_NARROW_OUTPUT_CHANNELS) return false;
      const dyLength = batch * outHeight * outWidth * outChannels;
      const filterLength = filterHeight * filterWidth * inChannels * outChannels;
      const dxLength = batch * inHeight * inWidth * inChannels;
      if (dy.length < dyLength || filter.length < filterLength || dx.length < dxLength) return false;
      if (aliases([[dy, dyLength], [filter, filterLength]], dx, dxLength)) return false;
      const staging = new OperandStaging(heap);
      const steps: Array<() => void> = [];
      const dyPointer = staging.input(dy, dyLength);
      const filterPointer = staging.input(filter, filterLength);
      const dxPointer = staging.output(dx, dxLength);
      // dx(y) = Σ_fy dy(y + padTop - fy * dilation) · W(fy): dy padded so that row y + fy' * dilation
      // (fy' = filterHeight - 1 - fy) is that dy row, and likewise for x.
      const reachHeight = (filterHeight - 1) * info.dilationHeight;
      const reachWidth = (filterWidth - 1) * info.dilationWidth;
      if (winograd) {
        queueWinogradConvolution(pool, staging, steps, dyPointer, batch, outHeight, outWidth, outChannels, reachHeight - info.padTop,
          reachWidth - info.padLeft, filterPointer, 1, inChannels, outChannels, dxPointer, inHeight, inWidth, inChannels, 0, 0);
        return finish(staging, steps);
      }
      const source = imageSource(staging, steps, dyPointer, batch, outHeight, outWidth, outChannels,
        inHeight + reachHeight, inWidth + reachWidth, reachHeight - info.padTop, reachWidth - info.padLeft);
      const packed = staging.scratch(roundUp(inChannels, PANEL_COLUMNS) * filterHeight * filterWidth * outChannels);
      steps.push(() => pool.run('packConvFilterChunk', 1, [filterPointer, packed, filterHeight, filterWidth, inChannels, outChannels, 1]));
      queueForward(staging, steps, source, packed, dxPointer, batch, outChannels, inHeight, inWidth, inChannels, info, 1, 1);
      return finish(staging, steps);
    },

    conv2dBackpropFilter(x, dy, dFilter, info) {
      const { batch, inHeight, inWidth, inChannels, outHeight, outWidth, outChannels, filterHeight, filterWidth } = info;
      const patch = filterHeight * filterWidth * inChannels;
      // Winograd too, though its transforms cancel the most here: up to 7.2e-6 of the scale against
      // float64 on random shapes (forward and input gradient up to 5.7e-6, the direct kernels about 1e-6),
      // for 0.69 against 1.82-1.97 ms on one thread (the CNN's conv2).
      const winograd = winogradEnabled && winogradApplies(info, inChannels, outHeight, outWidth) &&
        winogradGradientBlockTiles(inChannels, outChannels) >= 4;
      if (!hasWork(info) || (!winograd && (patch > MAX_DIRECT_PATCH || patch * outChannels > MAX_DIRECT_FILTER_GRADIENT))) return false;
      const xLength = batch * inHeight * inWidth * inChannels;
      const dyLength = batch * outHeight * outWidth * outChannels;
      const filterLength = patch * outChannels;
      if (x.length < xLength || dy.length < dyLength || dFilter.length < filterLength) return false;
      if (aliases([[x, xLength], [dy, dyLength]], dFilter, filterLength)) return false;
      const patchRounded = roundUp(patch, 4);
      const channelsRounded = roundUp(outChannels, PANEL_COLUMNS);
      const rows = batch * outHeight;
      const chunks = Math.max(1, Math.min(rows, FILTER_GRADIENT_CHUNKS, Math.floor(MAX_PARTIAL_FLOATS / (patchRounded * channelsRounded))));
      const rowsPerChunk = Math.ceil(rows / chunks);
      const chunkCount = Math.ceil(rows / rowsPerChunk);
      const staging = new OperandStaging(heap);
      const steps: Array<() => void> = [];
      const xPointer = staging.input(x, xLength);
      const dyPointer = staging.input(dy, dyLength);
      const dFilterPointer = staging.output(dFilter, filterLength);
      if (winograd) {
        queueWinogradFilterGradient(staging, steps, xPointer, dyPointer, dFilterPointer, info);
        return finish(staging, steps);
      }
      const neededHeight = (outHeight - 1) * info.strideHeight + (filterHeight - 1) * info.dilationHeight + 1;
      const neededWidth = (outWidth - 1) * info.strideWidth + (filterWidth - 1) * info.dilationWidth + 1;
      const source = imageSource(staging, steps, xPointer, batch, inHeight, inWidth, inChannels,
        neededHeight, neededWidth, info.padTop, info.padLeft);
      // The kernel reads dy 8 channels at a time: pad its channels with zeros unless they already fit.
      let dySource = dyPointer;
      if (channelsRounded !== outChannels) {
        dySource = staging.scratch(rows * outWidth * channelsRounded);
        const imagesPerChunk = unitsPerChunk(batch, pool.threads, 2);
        steps.push(() => pool.run('padImagesChunk', Math.ceil(batch / imagesPerChunk), [
          dyPointer, dySource, batch, outHeight, outWidth, outChannels, outHeight, outWidth, channelsRounded, 0, 0, imagesPerChunk,
        ], (rows * outWidth * channelsRounded) / COPIED_FLOATS_PER_MICROSECOND));
      }
      const partials = staging.scratch(chunkCount * patchRounded * channelsRounded);
      const params = staging.words([
        source.pointer, dySource, partials, batch, source.height, source.width, inChannels, outHeight, outWidth, channelsRounded,
        filterHeight, filterWidth, info.strideHeight, info.strideWidth, info.dilationHeight, info.dilationWidth, rowsPerChunk,
      ]);
      const macs = rows * outWidth * patchRounded * channelsRounded;
      steps.push(() => pool.run('conv2dFilterGradChunk', chunkCount, [params], macs / MACS_PER_MICROSECOND));
      // The partial sums by ranges of patch entries: each entry adds its slots in the same order in any chunk.
      const partialFloats = chunkCount * patchRounded * channelsRounded;
      const entriesPerChunk = partialFloats >= PARALLEL_PARTIAL_SUM_MIN_FLOATS ? unitsPerChunk(patch, pool.threads, 2) : patch;
      steps.push(() => pool.run('sumPartialsChunk', Math.ceil(patch / entriesPerChunk),
        [partials, dFilterPointer, chunkCount, patch, outChannels, patchRounded, channelsRounded, entriesPerChunk],
        partialFloats / COPIED_FLOATS_PER_MICROSECOND));
      return finish(staging, steps);
    },
  };
}
