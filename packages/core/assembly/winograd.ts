// Winograd F(4x4, 5x5) convolution (Lavin & Gray 2016) for stride 1, dilation 1, 5x5 filters, NHWC.
// Each 4x4 block of output pixels (a tile) comes from an 8x8 window of the (zero-padded) input:
//   out = Aᵀ [ Σ_c (G g_c,k Gᵀ) ⊙ (Bᵀ d_c B) ] A
// with interpolation points 0, 1, -1, 2, -2, 1/2, -1/2, ∞. Per tile and channel pair that is 64
// multiply-adds where the direct kernel does 400 (6.25x fewer; F(2x2, 5x5) did 36 per 2x2 outputs,
// 2.78x fewer); the transforms cost a few adds per element.
//   Aᵀ = [1  1  1  1  1    1     1  0]     G = [    1      0     0      0     0 ]
//        [0  1 -1  2 -2  1/2  -1/2  0]         [ -2/9   -2/9  -2/9   -2/9  -2/9 ]
//        [0  1  1  4  4  1/4   1/4  0]         [ -2/9    2/9  -2/9    2/9  -2/9 ]
//        [0  1 -1  8 -8  1/8  -1/8  1]         [ 1/90   1/45  2/45   4/45  8/45 ]
//                                              [ 1/90  -1/45  2/45  -4/45  8/45 ]
//   Bᵀ = [1   0  -21/4     0   21/4     0  -1  0]  [32/45  16/45  8/45   4/45  2/45 ]
//        [0   1      1  -17/4 -17/4     1   1  0]  [32/45 -16/45  8/45  -4/45  2/45 ]
//        [0  -1      1   17/4 -17/4    -1   1  0]  [    0      0     0      0     1 ]
//        [0 1/2    1/4   -5/2  -5/4     2   1  0]
//        [0 -1/2   1/4    5/2  -5/4    -2   1  0]
//        [0   2      4   -5/2    -5   1/2   1  0]
//        [0  -2      4    5/2    -5  -1/2   1  0]
//        [0  -1      0   21/4     0 -21/4   0  1]
// (Toom-Cook for these points, row 0 of Bᵀ and G negated; derived and checked in float64 against
// direct convolution in wasm-winograd.test.ts. Bᵀ is the input transform of F(6x6, 3x3), which has
// the same points.) The filter is transformed once per call in float64 (winogradFilterChunk:
// U[64][columns / 8][inChannels][8]); winogradChunk then takes blocks of tiles: input transform
// vectorised over channels into V[64][tile][c], 64 small products M[ξ] = V[ξ] · U[ξ] with the
// 4 tiles x 8 channels register tile of the direct kernel, output transform, bias, activation, store
// of the valid pixels. The input gradient is the same kernel over the padded dy with the filter
// flipped and transposed; the filter gradient (winogradFilterGradChunk, winogradFilterGradOutputChunk,
// at the end of this file) runs the transform transposed.

import { multiplyAdd } from './multiply-add';
import { word } from './parameter-block';
import { activateVector } from './simd-math';

// Words of winogradChunk's parameter block (filled by src/backends/cpu/wasm/wasm-conv.ts).
const W_SOURCE = 0;
const W_FILTER = 1;
const W_OUT = 2;
const W_BATCH = 3;
const W_SOURCE_HEIGHT = 4;
const W_SOURCE_WIDTH = 5;
const W_IN_CHANNELS = 6;
const W_OUT_HEIGHT = 7;
const W_OUT_WIDTH = 8;
const W_OUT_CHANNELS = 9;
const W_TILES_PER_CHUNK = 10;
const W_BLOCK_TILES = 11;
const W_BIAS = 12;
const W_ACTIVATION = 13;
/** Rows and columns of padding before the image: tile (ty, tx) reads the window from (4 ty - top, 4 tx - left). */
const W_TOP = 14;
const W_LEFT = 15;
/**
 * Where the int32 indices of a fused 2x2 max pool go (0: no pool). With them W_OUT receives the
 * pooled [N, outHeight / 2, outWidth / 2, outChannels] and the full-resolution output is never
 * written (see winogradChunk).
 */
const W_POOL_INDICES = 16;

/** Output channels per product tile (and per pass of the output transform). */
const GROUP: i32 = 8;
/** Output pixels per tile side (4) and input pixels per window side (8). */
const TILE_OUT: i32 = 4;
const TILE_IN: i32 = 8;
/** Elements of a transformed tile (8 x 8). */
const POINTS: i32 = 64;
/**
 * Scratch layout: 8 bias floats, an 8-float store tile, the output transform's 4 x 8 vectors of one
 * tile along y, then the blocks (V and M, or V and Y) and the ring.
 */
const BIAS_OFFSET: usize = 0;
const STORE_OFFSET: usize = 32;
const OUTPUT_ROWS_OFFSET: usize = 64;
const BLOCKS_OFFSET: usize = OUTPUT_ROWS_OFFSET + 32 * 16;
/**
 * Bytes of V and M per thread, room for 4 tiles of 168 channels; the JS side sizes its blocks of
 * tiles to fit (see wasm-conv.ts).
 */
export const WINOGRAD_BLOCK_BYTES: usize = 184 * 1024;
/**
 * Bytes between the points of V, M and Y beyond their tiles: one cache line, so that the 64 points
 * of a block do not fall on the same cache sets when a point's bytes are a power of two (16 tiles
 * of 8 channels: 512 bytes; the CNN's input gradient took 15% longer so).
 */
const POINT_SKEW: usize = 64;
/**
 * After them, the input transform's ring of columns transformed along y: 8 column slots of 8 vectors
 * per 4 input channels, so that a tile reuses the 4 columns it shares with the tile to its left.
 * Room for 168 channels (the JS side declines more).
 */
const RING_OFFSET: usize = BLOCKS_OFFSET + WINOGRAD_BLOCK_BYTES;
const RING_SLOT_BYTES: usize = 8 * 16;
const RING_GROUP_BYTES: usize = 8 * RING_SLOT_BYTES;
const RING_BYTES: usize = 42 * RING_GROUP_BYTES;
/** Per-thread scratch the Winograd kernels need. */
export const WINOGRAD_SCRATCH_BYTES: usize = RING_OFFSET + RING_BYTES;

/**
 * G g of 5 filter taps in float64: the 8 values at `to`, `stride` bytes apart (rows of G paired as
 * even and odd parts of the points ±p).
 */
// @ts-ignore: decorator
@inline function filterTransform8(g0: f64, g1: f64, g2: f64, g3: f64, g4: f64, to: usize, stride: usize): void {
  const even1 = g0 + g2 + g4, odd1 = g1 + g3;
  const even2 = g0 / 90 + g2 * (2.0 / 45) + g4 * (8.0 / 45), odd2 = g1 / 45 + g3 * (4.0 / 45);
  const even3 = g0 * (32.0 / 45) + g2 * (8.0 / 45) + g4 * (2.0 / 45), odd3 = g1 * (16.0 / 45) + g3 * (4.0 / 45);
  store<f64>(to, g0);
  store<f64>(to + stride, (even1 + odd1) * (-2.0 / 9));
  store<f64>(to + 2 * stride, (even1 - odd1) * (-2.0 / 9));
  store<f64>(to + 3 * stride, even2 + odd2);
  store<f64>(to + 4 * stride, even2 - odd2);
  store<f64>(to + 5 * stride, even3 + odd3);
  store<f64>(to + 6 * stride, even3 - odd3);
  store<f64>(to + 7 * stride, g4);
}

/**
 * Transforms filters by G g Gᵀ in float64, rounded once to float32: entry channels
 * [chunk * channelsPerChunk, ...) of target [64][columnsRounded / 8][entryChannels][8] (zeros past
 * the last column), so that each point's products stream one 8-column panel. The filter is
 * [5][5][inChannels][outChannels]; with `flip` the transformed filter is that of the input gradient:
 * rotated by 180° with in and out channels swapped (entries are then the out channels and columns
 * the in channels), as in packConvFilterChunk.
 */
export function winogradFilterChunk(
  chunk: i32, scratch: usize, filter: usize, target: usize, inChannels: i32, outChannels: i32, flip: i32,
  columnsRounded: i32, channelsPerChunk: i32,
): void {
  const entryChannels = flip != 0 ? outChannels : inChannels;
  const columns = flip != 0 ? inChannels : outChannels;
  const begin = chunk * channelsPerChunk;
  const end = min(entryChannels, begin + channelsPerChunk);
  const pointStride = <usize>(entryChannels * columnsRounded) << 2;
  // G g for each of the 5 filter columns (8 rows x 5 doubles), then one row of G g Gᵀ (8 doubles).
  const rowsTransformed = scratch;
  const rowStride: usize = 40;
  const pointsOfRow = scratch + 8 * rowStride;
  for (let entry = begin; entry < end; entry++) {
    for (let column = 0; column < columnsRounded; column++) {
      // Panels of 8 columns: [point][column / 8][entry][column % 8].
      const at = target + (<usize>(((column >> 3) * entryChannels + entry) * GROUP + (column & (GROUP - 1))) << 2);
      if (column >= columns) {
        for (let point = 0; point < POINTS; point++) store<f32>(at + <usize>point * pointStride, 0);
        continue;
      }
      // g(fy, fx) of this channel pair, read straight from the filter.
      for (let fx = 0; fx < 5; fx++) {
        filterTransform8(
          tap(filter, 0, fx, entry, column, inChannels, outChannels, flip), tap(filter, 1, fx, entry, column, inChannels, outChannels, flip),
          tap(filter, 2, fx, entry, column, inChannels, outChannels, flip), tap(filter, 3, fx, entry, column, inChannels, outChannels, flip),
          tap(filter, 4, fx, entry, column, inChannels, outChannels, flip), rowsTransformed + (<usize>fx << 3), rowStride);
      }
      for (let row = 0; row < TILE_IN; row++) {
        const r = rowsTransformed + <usize>row * rowStride;
        filterTransform8(load<f64>(r), load<f64>(r, 8), load<f64>(r, 16), load<f64>(r, 24), load<f64>(r, 32), pointsOfRow, 8);
        const point = at + <usize>(row * TILE_IN) * pointStride;
        for (let x = 0; x < TILE_IN; x++) store<f32>(point + <usize>x * pointStride, <f32>load<f64>(pointsOfRow + (<usize>x << 3)));
      }
    }
  }
}

/** Filter tap (fy, fx) of the pair (entry, column) as a double; see winogradFilterChunk's `flip`. */
// @ts-ignore: decorator
@inline function tap(filter: usize, fy: i32, fx: i32, entry: i32, column: i32, inChannels: i32, outChannels: i32, flip: i32): f64 {
  const index = flip != 0
    ? (((4 - fy) * 5 + (4 - fx)) * inChannels + column) * outChannels + entry
    : ((fy * 5 + fx) * inChannels + entry) * outChannels + column;
  return <f64>load<f32>(filter + (<usize>index << 2));
}

/**
 * Four channels of one input pixel: a vector load, or for the last 1-3 channels lane by lane with
 * zeros after them (never reading past the pixel).
 */
// @ts-ignore: decorator
@inline function loadChannels(at: usize, lanes: i32): v128 {
  if (lanes >= 4) return v128.load(at);
  let value = f32x4.splat(0);
  value = f32x4.replace_lane(value, 0, load<f32>(at));
  if (lanes > 1) value = f32x4.replace_lane(value, 1, load<f32>(at, 4));
  if (lanes > 2) value = f32x4.replace_lane(value, 2, load<f32>(at, 8));
  return value;
}

/**
 * Bᵀ x of 8 points, written to `to` (`toStride` bytes apart): the rows of Bᵀ with their shared
 * sums (rows 1-2, 3-4 and 5-6 are the even part plus and minus the odd part).
 */
// @ts-ignore: decorator
@inline function inputTransform8(
  d0: v128, d1: v128, d2: v128, d3: v128, d4: v128, d5: v128, d6: v128, d7: v128, to: usize, toStride: usize,
): void {
  const c525 = f32x4.splat(5.25);
  const c425 = f32x4.splat(4.25);
  v128.store(to, f32x4.add(f32x4.sub(d0, d6), f32x4.mul(c525, f32x4.sub(d4, d2))));
  v128.store(to + 7 * toStride, f32x4.add(f32x4.sub(d7, d1), f32x4.mul(c525, f32x4.sub(d3, d5))));
  const even1 = f32x4.sub(f32x4.add(d2, d6), f32x4.mul(c425, d4));
  const odd1 = f32x4.sub(f32x4.add(d1, d5), f32x4.mul(c425, d3));
  v128.store(to + toStride, f32x4.add(even1, odd1));
  v128.store(to + 2 * toStride, f32x4.sub(even1, odd1));
  const d4Scaled = f32x4.mul(f32x4.splat(1.25), d4);
  const d3Scaled = f32x4.mul(f32x4.splat(2.5), d3);
  const even2 = f32x4.add(d6, f32x4.sub(f32x4.mul(f32x4.splat(0.25), d2), d4Scaled));
  const odd2 = f32x4.add(f32x4.sub(f32x4.mul(f32x4.splat(0.5), d1), d3Scaled), f32x4.mul(f32x4.splat(2), d5));
  v128.store(to + 3 * toStride, f32x4.add(even2, odd2));
  v128.store(to + 4 * toStride, f32x4.sub(even2, odd2));
  const even3 = f32x4.add(d6, f32x4.mul(f32x4.splat(4), f32x4.sub(d2, d4Scaled)));
  const odd3 = f32x4.add(f32x4.sub(f32x4.mul(f32x4.splat(2), d1), d3Scaled), f32x4.mul(f32x4.splat(0.5), d5));
  v128.store(to + 5 * toStride, f32x4.add(even3, odd3));
  v128.store(to + 6 * toStride, f32x4.sub(even3, odd3));
}

/**
 * Bᵀ d B of 4 channels of one tile: d is the 8x8 window at `origin` (rows `rowBytes` apart, pixels
 * `pixelBytes` apart, `lanes` valid channels) whose first column is image column `column0`, written
 * as 64 vectors `pointStride` apart. Columns transformed along y live in `ring` (slot = column mod 8);
 * columns before `fresh` are taken from there, left by the tile to the left (4 columns back).
 */
function transformInputTile(
  origin: usize, rowBytes: usize, pixelBytes: usize, lanes: i32, ring: usize, column0: i32, fresh: i32, to: usize, pointStride: usize,
): void {
  for (let column = fresh; column < TILE_IN; column++) {
    const at = origin + <usize>column * pixelBytes;
    inputTransform8(
      loadChannels(at, lanes), loadChannels(at + rowBytes, lanes), loadChannels(at + 2 * rowBytes, lanes),
      loadChannels(at + 3 * rowBytes, lanes), loadChannels(at + 4 * rowBytes, lanes), loadChannels(at + 5 * rowBytes, lanes),
      loadChannels(at + 6 * rowBytes, lanes), loadChannels(at + 7 * rowBytes, lanes),
      ring + <usize>((column0 + column) & 7) * RING_SLOT_BYTES, 16);
  }
  transformRingRows(ring, column0, to, pointStride);
}

/** 4 channels of the pixel at `at` when `row` is in [rowBegin, rowEnd), else zeros (a row outside the image). */
// @ts-ignore: decorator
@inline function loadRow(at: usize, row: i32, rowBegin: i32, rowEnd: i32, lanes: i32): v128 {
  if (row < rowBegin || row >= rowEnd) return f32x4.splat(0);
  return loadChannels(at, lanes);
}

/**
 * transformInputTile for a window that crosses the image's border: the window's top left pixel is
 * (windowY, windowX) of the height x width image at `image`, and pixels outside it read as zeros, so
 * the transform takes the same numbers as from a zero-padded copy (and gives the same bits) without
 * that copy. A column wholly outside transforms to zeros; a column whose 8 rows all lie inside loads
 * as transformInputTile does.
 */
function transformBorderTile(
  image: usize, windowY: i32, windowX: i32, height: i32, width: i32, rowBytes: usize, pixelBytes: usize, lanes: i32, ring: usize,
  column0: i32, fresh: i32, to: usize, pointStride: usize,
): void {
  const rowBegin = max(0, -windowY);
  const rowEnd = min(TILE_IN, height - windowY);
  const rowsInside = rowBegin == 0 && rowEnd == TILE_IN;
  // Row 0 of the window (possibly outside the image: only rows in [rowBegin, rowEnd) are read; wasm32 addresses wrap).
  const windowRow = image + <usize>(windowY * <i32>rowBytes);
  for (let column = fresh; column < TILE_IN; column++) {
    const slot = ring + <usize>((column0 + column) & 7) * RING_SLOT_BYTES;
    const x = windowX + column;
    if (<u32>x >= <u32>width || rowEnd <= rowBegin) {
      const zero = f32x4.splat(0);
      for (let row = 0; row < TILE_IN; row++) v128.store(slot + <usize>(row << 4), zero);
      continue;
    }
    const at = windowRow + <usize>x * pixelBytes;
    if (rowsInside) {
      inputTransform8(
        loadChannels(at, lanes), loadChannels(at + rowBytes, lanes), loadChannels(at + 2 * rowBytes, lanes),
        loadChannels(at + 3 * rowBytes, lanes), loadChannels(at + 4 * rowBytes, lanes), loadChannels(at + 5 * rowBytes, lanes),
        loadChannels(at + 6 * rowBytes, lanes), loadChannels(at + 7 * rowBytes, lanes), slot, 16);
    } else {
      inputTransform8(
        loadRow(at, 0, rowBegin, rowEnd, lanes), loadRow(at + rowBytes, 1, rowBegin, rowEnd, lanes),
        loadRow(at + 2 * rowBytes, 2, rowBegin, rowEnd, lanes), loadRow(at + 3 * rowBytes, 3, rowBegin, rowEnd, lanes),
        loadRow(at + 4 * rowBytes, 4, rowBegin, rowEnd, lanes), loadRow(at + 5 * rowBytes, 5, rowBegin, rowEnd, lanes),
        loadRow(at + 6 * rowBytes, 6, rowBegin, rowEnd, lanes), loadRow(at + 7 * rowBytes, 7, rowBegin, rowEnd, lanes), slot, 16);
    }
  }
  transformRingRows(ring, column0, to, pointStride);
}

/** Bᵀ along x of the 8 ring columns of the window starting at image column `column0`: 64 vectors at `to`, `pointStride` apart. */
// @ts-ignore: decorator
@inline function transformRingRows(ring: usize, column0: i32, to: usize, pointStride: usize): void {
  const s0 = ring + <usize>(column0 & 7) * RING_SLOT_BYTES;
  const s1 = ring + <usize>((column0 + 1) & 7) * RING_SLOT_BYTES;
  const s2 = ring + <usize>((column0 + 2) & 7) * RING_SLOT_BYTES;
  const s3 = ring + <usize>((column0 + 3) & 7) * RING_SLOT_BYTES;
  const s4 = ring + <usize>((column0 + 4) & 7) * RING_SLOT_BYTES;
  const s5 = ring + <usize>((column0 + 5) & 7) * RING_SLOT_BYTES;
  const s6 = ring + <usize>((column0 + 6) & 7) * RING_SLOT_BYTES;
  const s7 = ring + <usize>((column0 + 7) & 7) * RING_SLOT_BYTES;
  for (let row = 0; row < TILE_IN; row++) {
    const offset = <usize>(row * 16);
    inputTransform8(
      v128.load(s0 + offset), v128.load(s1 + offset), v128.load(s2 + offset), v128.load(s3 + offset),
      v128.load(s4 + offset), v128.load(s5 + offset), v128.load(s6 + offset), v128.load(s7 + offset),
      to + <usize>(row * TILE_IN) * pointStride, pointStride);
  }
}

/**
 * The input transform of all channels of tile (tileY, tileX) of an image at `image` (height x width,
 * windows shifted by (top, left) as the convolution's padding): straight loads when its 8x8 window
 * lies inside the image, else transformBorderTile's zeros for the pixels outside. V of the tile's
 * first channel at `to` (channels 4 bytes apart, points `pointStride` apart).
 */
// @ts-ignore: decorator
@inline function transformTileChannels(
  image: usize, tileY: i32, tileX: i32, top: i32, left: i32, height: i32, width: i32, channels: i32, rowBytes: usize, pixelBytes: usize,
  ring: usize, fresh: i32, to: usize, pointStride: usize,
): void {
  const windowY = TILE_OUT * tileY - top;
  const windowX = TILE_OUT * tileX - left;
  const column0 = TILE_OUT * tileX;
  if (windowY >= 0 && windowY + TILE_IN <= height && windowX >= 0 && windowX + TILE_IN <= width) {
    const origin = image + <usize>windowY * rowBytes + <usize>windowX * pixelBytes;
    for (let c = 0; c < channels; c += 4) {
      transformInputTile(origin + (<usize>c << 2), rowBytes, pixelBytes, min(4, channels - c), ring + <usize>(c >> 2) * RING_GROUP_BYTES,
        column0, fresh, to + (<usize>c << 2), pointStride);
    }
  } else {
    for (let c = 0; c < channels; c += 4) {
      transformBorderTile(image + (<usize>c << 2), windowY, windowX, height, width, rowBytes, pixelBytes, min(4, channels - c),
        ring + <usize>(c >> 2) * RING_GROUP_BYTES, column0, fresh, to + (<usize>c << 2), pointStride);
    }
  }
}

/**
 * M[ξ][t..t+4)[0..8) = Σ_c V[ξ][t + i][c] U[ξ][c][0..8) for one point ξ and 4 tiles (rows at v0..v3,
 * channels contiguous), U an 8-column panel (rows 32 bytes apart); stored at m (rows 32 bytes apart).
 * (Unrolling the channel loop by 4 made it 50% slower in V8, likely register spills; not kept.)
 */
// @ts-ignore: decorator
@inline function productTile(v0: usize, v1: usize, v2: usize, v3: usize, u: usize, channels: i32, m: usize): void {
  let c00 = f32x4.splat(0), c01 = f32x4.splat(0);
  let c10 = f32x4.splat(0), c11 = f32x4.splat(0);
  let c20 = f32x4.splat(0), c21 = f32x4.splat(0);
  let c30 = f32x4.splat(0), c31 = f32x4.splat(0);
  let a0 = v0, a1 = v1, a2 = v2, a3 = v3, w = u;
  const end = v0 + (<usize>channels << 2);
  while (a0 < end) {
    const b0 = v128.load(w), b1 = v128.load(w, 16);
    let a = v128.load32_splat(a0);
    c00 = multiplyAdd(a, b0, c00); c01 = multiplyAdd(a, b1, c01);
    a = v128.load32_splat(a1);
    c10 = multiplyAdd(a, b0, c10); c11 = multiplyAdd(a, b1, c11);
    a = v128.load32_splat(a2);
    c20 = multiplyAdd(a, b0, c20); c21 = multiplyAdd(a, b1, c21);
    a = v128.load32_splat(a3);
    c30 = multiplyAdd(a, b0, c30); c31 = multiplyAdd(a, b1, c31);
    a0 += 4; a1 += 4; a2 += 4; a3 += 4;
    w += 32;
  }
  v128.store(m, c00); v128.store(m, c01, 16);
  v128.store(m, c10, 32); v128.store(m, c11, 48);
  v128.store(m, c20, 64); v128.store(m, c21, 80);
  v128.store(m, c30, 96); v128.store(m, c31, 112);
}

/**
 * Aᵀ along y of one column of M: the 8 points at `at` (`stride` bytes apart), 4 vectors written at
 * `to` (`toStride` apart).
 */
// @ts-ignore: decorator
@inline function outputTransformColumn(at: usize, stride: usize, to: usize, toStride: usize): void {
  const m1 = v128.load(at + stride), m2 = v128.load(at + 2 * stride);
  const m3 = v128.load(at + 3 * stride), m4 = v128.load(at + 4 * stride);
  const m5 = v128.load(at + 5 * stride), m6 = v128.load(at + 6 * stride);
  const sum12 = f32x4.add(m1, m2), difference12 = f32x4.sub(m1, m2);
  const sum34 = f32x4.add(m3, m4), difference34 = f32x4.sub(m3, m4);
  const sum56 = f32x4.add(m5, m6), difference56 = f32x4.sub(m5, m6);
  v128.store(to, f32x4.add(f32x4.add(v128.load(at), sum12), f32x4.add(sum34, sum56)));
  v128.store(to + toStride, f32x4.add(difference12, f32x4.add(f32x4.mul(f32x4.splat(2), difference34), f32x4.mul(f32x4.splat(0.5), difference56))));
  v128.store(to + 2 * toStride, f32x4.add(sum12, f32x4.add(f32x4.mul(f32x4.splat(4), sum34), f32x4.mul(f32x4.splat(0.25), sum56))));
  v128.store(to + 3 * toStride, f32x4.add(
    f32x4.add(difference12, f32x4.add(f32x4.mul(f32x4.splat(8), difference34), f32x4.mul(f32x4.splat(0.125), difference56))),
    v128.load(at + 7 * stride)));
}

/** The value with the bias added (when `bias` is not 0) and the activation applied. */
// @ts-ignore: decorator
@inline function activated(value: v128, bias: usize, biasVector: v128, activation: i32): v128 {
  let result = value;
  if (bias != 0) result = f32x4.add(result, biasVector);
  if (activation != 0) result = activateVector(result, activation);
  return result;
}

/** Adds the bias (when `bias` is not 0), applies the activation and stores the first `lanes` lanes at `to`. */
// @ts-ignore: decorator
@inline function storePixel(value: v128, bias: usize, biasVector: v128, activation: i32, to: usize, lanes: i32, storeTile: usize): void {
  const result = activated(value, bias, biasVector, activation);
  if (lanes >= 4) {
    v128.store(to, result);
  } else {
    v128.store(storeTile, result);
    memory.copy(to, storeTile, <usize>lanes << 2);
  }
}

/**
 * Max-pools 4 channels of a 2x2 window of activated pixels (v0..v3 in row-major order, flat output
 * indices i0..i3 of their first channel) into `pooled` and the maximal cell's flat index into
 * `indices`, `lanes` of the 4. The rule of maxPoolIndicesChunk (assembly/conv-pool.ts) to the bit:
 * a later cell wins when strictly greater, or when it is NaN and the best so far is not.
 */
// @ts-ignore: decorator
@inline function poolWindow(
  v0: v128, v1: v128, v2: v128, v3: v128, i0: i32, i1: i32, i2: i32, i3: i32, pooled: usize, indices: usize, lanes: i32,
): void {
  const laneIndex = i32x4(0, 1, 2, 3);
  let best = v0;
  let bestIndex = i32x4.add(i32x4.splat(i0), laneIndex);
  let take = v128.or(f32x4.gt(v1, best), v128.and(f32x4.ne(v1, v1), f32x4.eq(best, best)));
  best = v128.bitselect(v1, best, take);
  bestIndex = v128.bitselect(i32x4.add(i32x4.splat(i1), laneIndex), bestIndex, take);
  take = v128.or(f32x4.gt(v2, best), v128.and(f32x4.ne(v2, v2), f32x4.eq(best, best)));
  best = v128.bitselect(v2, best, take);
  bestIndex = v128.bitselect(i32x4.add(i32x4.splat(i2), laneIndex), bestIndex, take);
  take = v128.or(f32x4.gt(v3, best), v128.and(f32x4.ne(v3, v3), f32x4.eq(best, best)));
  best = v128.bitselect(v3, best, take);
  bestIndex = v128.bitselect(i32x4.add(i32x4.splat(i3), laneIndex), bestIndex, take);
  if (lanes >= 4) {
    v128.store(pooled, best);
    v128.store(indices, bestIndex);
    return;
  }
  store<f32>(pooled, f32x4.extract_lane(best, 0)); store<i32>(indices, i32x4.extract_lane(bestIndex, 0));
  if (lanes > 1) { store<f32>(pooled, f32x4.extract_lane(best, 1), 4); store<i32>(indices, i32x4.extract_lane(bestIndex, 1), 4); }
  if (lanes > 2) { store<f32>(pooled, f32x4.extract_lane(best, 2), 8); store<i32>(indices, i32x4.extract_lane(bestIndex, 2), 8); }
}

/** Row `row` of Aᵀ M A from the output rows (Aᵀ along y, 8 vectors 16 bytes apart at `r`): output column `column` (0-3). */
// @ts-ignore: decorator
@inline function outputPixel(r: usize, column: i32): v128 {
  const m1 = v128.load(r, 16), m2 = v128.load(r, 32), m3 = v128.load(r, 48);
  const m4 = v128.load(r, 64), m5 = v128.load(r, 80), m6 = v128.load(r, 96);
  if (column == 0) return f32x4.add(f32x4.add(v128.load(r), f32x4.add(m1, m2)), f32x4.add(f32x4.add(m3, m4), f32x4.add(m5, m6)));
  if (column == 1) {
    return f32x4.add(f32x4.sub(m1, m2), f32x4.add(f32x4.mul(f32x4.splat(2), f32x4.sub(m3, m4)), f32x4.mul(f32x4.splat(0.5), f32x4.sub(m5, m6))));
  }
  if (column == 2) {
    return f32x4.add(f32x4.add(m1, m2), f32x4.add(f32x4.mul(f32x4.splat(4), f32x4.add(m3, m4)), f32x4.mul(f32x4.splat(0.25), f32x4.add(m5, m6))));
  }
  return f32x4.add(
    f32x4.add(f32x4.sub(m1, m2), f32x4.add(f32x4.mul(f32x4.splat(8), f32x4.sub(m3, m4)), f32x4.mul(f32x4.splat(0.125), f32x4.sub(m5, m6)))),
    v128.load(r, 112));
}

/**
 * Tiles [chunk * tilesPerChunk, ...) of the 5x5 convolution of the source images (tiles numbered
 * image, tile row, tile column; the source is unpadded: tile (ty, tx) reads the 8x8 window from
 * (4 ty - W_TOP, 4 tx - W_LEFT), zeros outside the image, so partial tiles and 'same' padding need
 * no padded copy) with the filter transformed by winogradFilterChunk, into out
 * [N, outHeight, outWidth, outChannels] with the bias added and the activation applied
 * (simd-math.ts codes) as it stores. Blocks of `blockTiles` tiles (a multiple of 4) keep V and M
 * in this thread's scratch. With W_POOL_INDICES, a 2x2 max pool of stride 2 follows in registers:
 * tiles start at even rows and columns, so each 4x4 tile holds 4 whole pooling windows (an odd last
 * output row or column is dropped, as the pool drops it); only the pooled pixels and their cells'
 * flat indices into the [N, outHeight, outWidth, outChannels] output are stored.
 */
export function winogradChunk(chunk: i32, scratch: usize, params: usize): void {
  const source = <usize>word(params, W_SOURCE);
  const filter = <usize>word(params, W_FILTER);
  const out = <usize>word(params, W_OUT);
  const batch = word(params, W_BATCH);
  const sourceHeight = word(params, W_SOURCE_HEIGHT);
  const sourceWidth = word(params, W_SOURCE_WIDTH);
  const channels = word(params, W_IN_CHANNELS);
  const outHeight = word(params, W_OUT_HEIGHT);
  const outWidth = word(params, W_OUT_WIDTH);
  const outChannels = word(params, W_OUT_CHANNELS);
  const tilesPerChunk = word(params, W_TILES_PER_CHUNK);
  const blockTiles = word(params, W_BLOCK_TILES);
  const bias = <usize>word(params, W_BIAS);
  const activation = word(params, W_ACTIVATION);
  const top = word(params, W_TOP);
  const left = word(params, W_LEFT);
  const poolIndices = <usize>word(params, W_POOL_INDICES);

  const tileRows = (outHeight + TILE_OUT - 1) / TILE_OUT;
  const tileColumns = (outWidth + TILE_OUT - 1) / TILE_OUT;
  const tilesPerImage = tileRows * tileColumns;
  const pooledHeight = outHeight >> 1;
  const pooledWidth = outWidth >> 1;
  const begin = chunk * tilesPerChunk;
  const end = min(batch * tilesPerImage, begin + tilesPerChunk);
  const channelsRounded = (channels + 3) & ~3;
  const columnsRounded = (outChannels + GROUP - 1) & ~(GROUP - 1);
  const pixelBytes = <usize>channels << 2;
  const rowBytes = <usize>sourceWidth * pixelBytes;
  const outPixelBytes = <usize>outChannels << 2;
  const outRowBytes = <usize>outWidth * outPixelBytes;
  // V[ξ][tile][channelsRounded] and M[ξ][tile][8].
  const v = scratch + BLOCKS_OFFSET;
  const vPointStride = (<usize>(blockTiles * channelsRounded) << 2) + POINT_SKEW;
  const m = v + <usize>POINTS * vPointStride;
  const mPointStride = (<usize>(blockTiles * GROUP) << 2) + POINT_SKEW;
  const uPointStride = <usize>(channels * columnsRounded) << 2;
  const ring = scratch + RING_OFFSET;
  const tileBias = scratch + BIAS_OFFSET;
  const storeTile = scratch + STORE_OFFSET;
  // Aᵀ M along y of one tile's 4 channels: [4 rows][8 columns] vectors.
  const outputRows = scratch + OUTPUT_ROWS_OFFSET;

  for (let blockBegin = begin; blockBegin < end; blockBegin += blockTiles) {
    const count = min(blockTiles, end - blockBegin);
    for (let t = 0; t < count; t++) {
      const tile = blockBegin + t;
      const image = tile / tilesPerImage;
      const inImage = tile - image * tilesPerImage;
      const tileY = inImage / tileColumns;
      const tileX = inImage - tileY * tileColumns;
      // The tile to the left, when this chunk just did it, left 4 of this window's columns in the ring.
      const fresh = tile > begin && tileX > 0 ? TILE_IN - TILE_OUT : 0;
      transformTileChannels(source + <usize>(image * sourceHeight) * rowBytes, tileY, tileX, top, left, sourceHeight, sourceWidth, channels,
        rowBytes, pixelBytes, ring, fresh, v + (<usize>(t * channelsRounded) << 2), vPointStride);
    }
    for (let group = 0; group < columnsRounded; group += GROUP) {
      for (let point = 0; point < POINTS; point++) {
        const vPoint = v + <usize>point * vPointStride;
        const u = filter + <usize>point * uPointStride + (<usize>(group * channels) << 2);
        const mPoint = m + <usize>point * mPointStride;
        for (let t = 0; t < count; t += 4) {
          // Tiles past the block's end repeat its last tile (valid reads); their results are never stored.
          const last = count - 1;
          const v0 = vPoint + (<usize>(t * channelsRounded) << 2);
          const v1 = vPoint + (<usize>(min(t + 1, last) * channelsRounded) << 2);
          const v2 = vPoint + (<usize>(min(t + 2, last) * channelsRounded) << 2);
          const v3 = vPoint + (<usize>(min(t + 3, last) * channelsRounded) << 2);
          productTile(v0, v1, v2, v3, u, channels, mPoint + (<usize>(t * GROUP) << 2));
        }
      }
      const validColumns = min(GROUP, outChannels - group);
      if (bias != 0) {
        for (let column = 0; column < GROUP; column++) {
          store<f32>(tileBias + (<usize>column << 2), column < validColumns ? load<f32>(bias + (<usize>(group + column) << 2)) : 0);
        }
      }
      for (let t = 0; t < count; t++) {
        const tile = blockBegin + t;
        const image = tile / tilesPerImage;
        const inImage = tile - image * tilesPerImage;
        const tileY = inImage / tileColumns;
        const tileX = inImage - tileY * tileColumns;
        const y0 = TILE_OUT * tileY;
        const x0 = TILE_OUT * tileX;
        if (poolIndices != 0) {
          storePooledTile(m + (<usize>(t * GROUP) << 2), mPointStride, outputRows, bias, tileBias, activation, validColumns,
            out, poolIndices, image, y0, x0, outHeight, outWidth, outChannels, group, pooledHeight, pooledWidth);
          continue;
        }
        const pixels = out + <usize>(image * outHeight + y0) * outRowBytes + <usize>x0 * outPixelBytes + (<usize>group << 2);
        const rowsValid = min(TILE_OUT, outHeight - y0);
        const columnsValid = min(TILE_OUT, outWidth - x0);
        for (let half = 0; half < 2; half++) {
          const lanesValid = validColumns - half * 4;
          if (lanesValid <= 0) continue;
          const mTile = m + (<usize>(t * GROUP + half * 4) << 2);
          const biasVector = bias != 0 ? v128.load(tileBias + (<usize>half << 4)) : f32x4.splat(0);
          // Aᵀ along y for each of the 8 columns, then along x for each valid row.
          for (let column = 0; column < TILE_IN; column++) {
            outputTransformColumn(mTile + <usize>column * mPointStride, <usize>TILE_IN * mPointStride, outputRows + (<usize>column << 4), 128);
          }
          for (let row = 0; row < rowsValid; row++) {
            const r = outputRows + <usize>row * 128;
            const to = pixels + <usize>row * outRowBytes + (<usize>half << 4);
            // Constant columns, so each outputPixel folds to its own row of Aᵀ (a loop over them measured 7% slower).
            storePixel(outputPixel(r, 0), bias, biasVector, activation, to, lanesValid, storeTile);
            if (columnsValid > 1) storePixel(outputPixel(r, 1), bias, biasVector, activation, to + outPixelBytes, lanesValid, storeTile);
            if (columnsValid > 2) storePixel(outputPixel(r, 2), bias, biasVector, activation, to + 2 * outPixelBytes, lanesValid, storeTile);
            if (columnsValid > 3) storePixel(outputPixel(r, 3), bias, biasVector, activation, to + 3 * outPixelBytes, lanesValid, storeTile);
          }
        }
      }
    }
  }
}

/**
 * The pooled store of one tile's 8 output channels from `group` (winogradChunk with W_POOL_INDICES):
 * per 4 channels, Aᵀ M A of the rows the pool reads, bias and activation as storePixel applies them
 * (the same bits), and each whole 2x2 window inside the pooled output pooled in registers by
 * poolWindow into `pooled` and `indices` ([N, pooledHeight, pooledWidth, outChannels]).
 */
function storePooledTile(
  mTile: usize, mPointStride: usize, outputRows: usize, bias: usize, tileBias: usize, activation: i32,
  validColumns: i32, pooled: usize, indices: usize, image: i32, y0: i32, x0: i32, outHeight: i32, outWidth: i32, outChannels: i32,
  group: i32, pooledHeight: i32, pooledWidth: i32,
): void {
  const pooledRows = min(2, pooledHeight - (y0 >> 1));
  const pooledColumns = min(2, pooledWidth - (x0 >> 1));
  if (pooledRows <= 0 || pooledColumns <= 0) return;
  const rowStep = outWidth * outChannels;
  for (let half = 0; half < 2; half++) {
    const lanesValid = validColumns - half * 4;
    if (lanesValid <= 0) continue;
    const channel = group + half * 4;
    const mHalf = mTile + (<usize>(half * 4) << 2);
    const biasVector = bias != 0 ? v128.load(tileBias + (<usize>half << 4)) : f32x4.splat(0);
    for (let column = 0; column < TILE_IN; column++) {
      outputTransformColumn(mHalf + <usize>column * mPointStride, <usize>TILE_IN * mPointStride, outputRows + (<usize>column << 4), 128);
    }
    // Each pair of rows: the 4 pixels of both windows, activated as storePixel does, pooled in registers.
    for (let py = 0; py < pooledRows; py++) {
      const r0 = outputRows + <usize>(py * 256);
      const r1 = r0 + 128;
      const pooledRow = image * pooledHeight + (y0 >> 1) + py;
      const index0 = ((image * outHeight + y0 + 2 * py) * outWidth + x0) * outChannels + channel;
      const at = <usize>((pooledRow * pooledWidth + (x0 >> 1)) * outChannels + channel) << 2;
      poolWindow(
        activated(outputPixel(r0, 0), bias, biasVector, activation), activated(outputPixel(r0, 1), bias, biasVector, activation),
        activated(outputPixel(r1, 0), bias, biasVector, activation), activated(outputPixel(r1, 1), bias, biasVector, activation),
        index0, index0 + outChannels, index0 + rowStep, index0 + rowStep + outChannels, pooled + at, indices + at, lanesValid);
      if (pooledColumns > 1) {
        const index2 = index0 + 2 * outChannels;
        const at2 = at + (<usize>outChannels << 2);
        poolWindow(
          activated(outputPixel(r0, 2), bias, biasVector, activation), activated(outputPixel(r0, 3), bias, biasVector, activation),
          activated(outputPixel(r1, 2), bias, biasVector, activation), activated(outputPixel(r1, 3), bias, biasVector, activation),
          index2, index2 + outChannels, index2 + rowStep, index2 + rowStep + outChannels, pooled + at2, indices + at2, lanesValid);
      }
    }
  }
}

// The filter gradient by the same transform, transposed (F(5x5, 4x4)): for a 4x4 block E of dy and the
// 8x8 window D of the input it came from, the block's share of the 5x5 filter gradient is
//   Gᵀ [ (A E Aᵀ) ⊙ (Bᵀ D B) ] G
// (checked in float64 in wasm-winograd.test.ts). The sum over blocks moves inside: S[ξ][c][k] =
// Σ_tiles (Bᵀ D_c B)[ξ] (A E_k Aᵀ)[ξ], 64 products (inChannels x tiles) · (tiles x outChannels)
// accumulated per chunk into fixed partial slots (summed in order by sumPartialsChunk, so threads
// never change the bits), and Gᵀ S G once per channel pair at the end, in float64.

/**
 * A e of 4 values along a line of a dy block: the 8 points (1, p, p², p³) · e at `to`, `stride`
 * bytes apart (pairs ±p as the even part plus and minus the odd part).
 */
// @ts-ignore: decorator
@inline function gradientTransform8(e0: v128, e1: v128, e2: v128, e3: v128, to: usize, stride: usize): void {
  const even1 = f32x4.add(e0, e2), odd1 = f32x4.add(e1, e3);
  const even2 = f32x4.add(e0, f32x4.mul(f32x4.splat(4), e2));
  const odd2 = f32x4.add(f32x4.mul(f32x4.splat(2), e1), f32x4.mul(f32x4.splat(8), e3));
  const even3 = f32x4.add(e0, f32x4.mul(f32x4.splat(0.25), e2));
  const odd3 = f32x4.add(f32x4.mul(f32x4.splat(0.5), e1), f32x4.mul(f32x4.splat(0.125), e3));
  v128.store(to, e0);
  v128.store(to + stride, f32x4.add(even1, odd1));
  v128.store(to + 2 * stride, f32x4.sub(even1, odd1));
  v128.store(to + 3 * stride, f32x4.add(even2, odd2));
  v128.store(to + 4 * stride, f32x4.sub(even2, odd2));
  v128.store(to + 5 * stride, f32x4.add(even3, odd3));
  v128.store(to + 6 * stride, f32x4.sub(even3, odd3));
  v128.store(to + 7 * stride, e3);
}

/** 4 channels of dy pixel (y, x) from `at`, zeros outside the output or past the last channel. */
// @ts-ignore: decorator
@inline function loadGradient(at: usize, inside: bool, lanes: i32): v128 {
  if (!inside || lanes <= 0) return f32x4.splat(0);
  return loadChannels(at, lanes);
}

/**
 * A E Aᵀ of 4 channels of the 4x4 dy block at `at` (rows `rowBytes` apart, pixels `pixelBytes` apart;
 * `rows` x `columns` of it inside the output, the rest zeros), written as 64 vectors `pointStride`
 * apart: along x for each row into `rowsTransformed` ([4][8] vectors), then along y for each column.
 */
function transformGradientBlock(
  at: usize, rowBytes: usize, pixelBytes: usize, rows: i32, columns: i32, lanes: i32, rowsTransformed: usize, to: usize, pointStride: usize,
): void {
  for (let row = 0; row < TILE_OUT; row++) {
    const pixel = at + <usize>row * rowBytes;
    const inside = row < rows;
    gradientTransform8(
      loadGradient(pixel, inside, lanes), loadGradient(pixel + pixelBytes, inside && columns > 1, lanes),
      loadGradient(pixel + 2 * pixelBytes, inside && columns > 2, lanes), loadGradient(pixel + 3 * pixelBytes, inside && columns > 3, lanes),
      rowsTransformed + <usize>row * 128, 16);
  }
  for (let column = 0; column < TILE_IN; column++) {
    const from = rowsTransformed + (<usize>column << 4);
    gradientTransform8(v128.load(from), v128.load(from, 128), v128.load(from, 256), v128.load(from, 384),
      to + <usize>column * pointStride, <usize>TILE_IN * pointStride);
  }
}

/**
 * Tiles [chunk * tilesPerChunk, ...) of the filter gradient's transformed sums, into this chunk's
 * slot of the partials ([chunks][64][channelsRounded][columnsRounded], channels rounded up to 4 and
 * columns to 8; zero rows and columns past the real ones). The parameter block is winogradChunk's
 * with the dy images in W_FILTER and the partials in W_OUT; the source is padded and covers whole
 * tiles (W_TOP and W_LEFT are not read: reading it unpadded as winogradChunk can measured 2-3% slower).
 */
export function winogradFilterGradChunk(chunk: i32, scratch: usize, params: usize): void {
  const source = <usize>word(params, W_SOURCE);
  const dy = <usize>word(params, W_FILTER);
  const partials = <usize>word(params, W_OUT);
  const batch = word(params, W_BATCH);
  const sourceHeight = word(params, W_SOURCE_HEIGHT);
  const sourceWidth = word(params, W_SOURCE_WIDTH);
  const channels = word(params, W_IN_CHANNELS);
  const outHeight = word(params, W_OUT_HEIGHT);
  const outWidth = word(params, W_OUT_WIDTH);
  const outChannels = word(params, W_OUT_CHANNELS);
  const tilesPerChunk = word(params, W_TILES_PER_CHUNK);
  const blockTiles = word(params, W_BLOCK_TILES);

  const tileRows = (outHeight + TILE_OUT - 1) / TILE_OUT;
  const tileColumns = (outWidth + TILE_OUT - 1) / TILE_OUT;
  const tilesPerImage = tileRows * tileColumns;
  const channelsRounded = (channels + 3) & ~3;
  const columnsRounded = (outChannels + GROUP - 1) & ~(GROUP - 1);
  const pixelBytes = <usize>channels << 2;
  const rowBytes = <usize>sourceWidth * pixelBytes;
  const dyPixelBytes = <usize>outChannels << 2;
  const dyRowBytes = <usize>outWidth * dyPixelBytes;
  // V[ξ][tile][channelsRounded] and Y[ξ][tile][columnsRounded].
  const v = scratch + BLOCKS_OFFSET;
  const vTileBytes = <usize>channelsRounded << 2;
  const vPointStride = <usize>blockTiles * vTileBytes + POINT_SKEW;
  const y = v + <usize>POINTS * vPointStride;
  const yTileBytes = <usize>columnsRounded << 2;
  const yPointStride = <usize>blockTiles * yTileBytes + POINT_SKEW;
  const slotPointStride = <usize>(channelsRounded * columnsRounded) << 2;
  const partial = partials + <usize>chunk * <usize>POINTS * slotPointStride;
  const ring = scratch + RING_OFFSET;
  const rowsTransformed = scratch + OUTPUT_ROWS_OFFSET;
  const begin = chunk * tilesPerChunk;
  const end = min(batch * tilesPerImage, begin + tilesPerChunk);
  if (end <= begin) {
    memory.fill(partial, 0, <usize>POINTS * slotPointStride);
    return;
  }
  for (let blockBegin = begin; blockBegin < end; blockBegin += blockTiles) {
    const count = min(blockTiles, end - blockBegin);
    for (let t = 0; t < count; t++) {
      const tile = blockBegin + t;
      const image = tile / tilesPerImage;
      const inImage = tile - image * tilesPerImage;
      const tileY = inImage / tileColumns;
      const tileX = inImage - tileY * tileColumns;
      const origin = source + <usize>(image * sourceHeight + TILE_OUT * tileY) * rowBytes + <usize>(TILE_OUT * tileX) * pixelBytes;
      const fresh = tile > begin && tileX > 0 ? TILE_IN - TILE_OUT : 0;
      for (let c = 0; c < channels; c += 4) {
        transformInputTile(origin + (<usize>c << 2), rowBytes, pixelBytes, min(4, channels - c), ring + <usize>(c >> 2) * RING_GROUP_BYTES,
          TILE_OUT * tileX, fresh, v + <usize>t * vTileBytes + (<usize>c << 2), vPointStride);
      }
      // Pixels of the block past the output's edge count as zeros.
      const y0 = TILE_OUT * tileY;
      const x0 = TILE_OUT * tileX;
      const rows = min(TILE_OUT, outHeight - y0);
      const columns = min(TILE_OUT, outWidth - x0);
      const pixel = dy + <usize>(image * outHeight + y0) * dyRowBytes + <usize>x0 * dyPixelBytes;
      for (let k = 0; k < columnsRounded; k += 4) {
        transformGradientBlock(pixel + (<usize>k << 2), dyRowBytes, dyPixelBytes, rows, columns, min(4, outChannels - k), rowsTransformed,
          y + <usize>t * yTileBytes + (<usize>k << 2), yPointStride);
      }
    }
    const first = blockBegin == begin;
    for (let point = 0; point < POINTS; point++) {
      const vPoint = v + <usize>point * vPointStride;
      const yPoint = y + <usize>point * yPointStride;
      const slotPoint = partial + <usize>point * slotPointStride;
      for (let c = 0; c < channelsRounded; c += 4) {
        for (let group = 0; group < columnsRounded; group += GROUP) {
          const target = slotPoint + (<usize>(c * columnsRounded + group) << 2);
          // Each block sums its tiles from zero and then adds that to the slot: two short float32
          // sums instead of one as long as the chunk (the transformed values are ~100x the inputs, so
          // a single running sum over a chunk of a large batch lost 1.6e-5 of the scale).
          let c00 = f32x4.splat(0), c01 = f32x4.splat(0);
          let c10 = f32x4.splat(0), c11 = f32x4.splat(0);
          let c20 = f32x4.splat(0), c21 = f32x4.splat(0);
          let c30 = f32x4.splat(0), c31 = f32x4.splat(0);
          let a = vPoint + (<usize>c << 2);
          let b = yPoint + (<usize>group << 2);
          const bEnd = b + <usize>count * yTileBytes;
          while (b < bEnd) {
            const b0 = v128.load(b);
            const b1 = v128.load(b, 16);
            let s = v128.load32_splat(a);
            c00 = multiplyAdd(s, b0, c00);
            c01 = multiplyAdd(s, b1, c01);
            s = v128.load32_splat(a, 4);
            c10 = multiplyAdd(s, b0, c10);
            c11 = multiplyAdd(s, b1, c11);
            s = v128.load32_splat(a, 8);
            c20 = multiplyAdd(s, b0, c20);
            c21 = multiplyAdd(s, b1, c21);
            s = v128.load32_splat(a, 12);
            c30 = multiplyAdd(s, b0, c30);
            c31 = multiplyAdd(s, b1, c31);
            a += vTileBytes;
            b += yTileBytes;
          }
          if (!first) {
            c00 = f32x4.add(v128.load(target), c00); c01 = f32x4.add(v128.load(target, 16), c01);
            c10 = f32x4.add(v128.load(target + yTileBytes), c10); c11 = f32x4.add(v128.load(target + yTileBytes, 16), c11);
            c20 = f32x4.add(v128.load(target + 2 * yTileBytes), c20); c21 = f32x4.add(v128.load(target + 2 * yTileBytes, 16), c21);
            c30 = f32x4.add(v128.load(target + 3 * yTileBytes), c30); c31 = f32x4.add(v128.load(target + 3 * yTileBytes, 16), c31);
          }
          v128.store(target, c00); v128.store(target, c01, 16);
          v128.store(target + yTileBytes, c10); v128.store(target + yTileBytes, c11, 16);
          v128.store(target + 2 * yTileBytes, c20); v128.store(target + 2 * yTileBytes, c21, 16);
          v128.store(target + 3 * yTileBytes, c30); v128.store(target + 3 * yTileBytes, c31, 16);
        }
      }
    }
  }
}

/** Gᵀ applied to 8 doubles at `from` (`stride` bytes apart): 5 doubles at `to` (`toStride` apart). */
// @ts-ignore: decorator
@inline function filterGradientRow(from: usize, stride: usize, to: usize, toStride: usize): void {
  const s0 = load<f64>(from), s1 = load<f64>(from + stride), s2 = load<f64>(from + 2 * stride), s3 = load<f64>(from + 3 * stride);
  const s4 = load<f64>(from + 4 * stride), s5 = load<f64>(from + 5 * stride), s6 = load<f64>(from + 6 * stride);
  const s7 = load<f64>(from + 7 * stride);
  const sum12 = s1 + s2, difference12 = s1 - s2, sum34 = s3 + s4, difference34 = s3 - s4, sum56 = s5 + s6, difference56 = s5 - s6;
  store<f64>(to, s0 + sum12 * (-2.0 / 9) + sum34 / 90 + sum56 * (32.0 / 45));
  store<f64>(to + toStride, difference12 * (-2.0 / 9) + difference34 / 45 + difference56 * (16.0 / 45));
  store<f64>(to + 2 * toStride, sum12 * (-2.0 / 9) + sum34 * (2.0 / 45) + sum56 * (8.0 / 45));
  store<f64>(to + 3 * toStride, difference12 * (-2.0 / 9) + difference34 * (4.0 / 45) + difference56 * (4.0 / 45));
  store<f64>(to + 4 * toStride, sum12 * (-2.0 / 9) + sum34 * (8.0 / 45) + sum56 * (2.0 / 45) + s7);
}

/**
 * Input channels [chunk * channelsPerChunk, ...) of the filter gradient dFilter [5][5][inChannels]
 * [outChannels] = Gᵀ S G per channel pair, in float64, from the summed sums S [64][channelsRounded]
 * [columnsRounded].
 */
export function winogradFilterGradOutputChunk(
  chunk: i32, scratch: usize, sums: usize, dFilter: usize, inChannels: i32, outChannels: i32, channelsRounded: i32,
  columnsRounded: i32, channelsPerChunk: i32,
): void {
  const begin = chunk * channelsPerChunk;
  const end = min(inChannels, begin + channelsPerChunk);
  const pointStride = <usize>(channelsRounded * columnsRounded) << 2;
  // s[8][8] and Gᵀ along x: t[8][5], then Gᵀ along y: w[5][5] (doubles).
  const s = scratch;
  const t = scratch + 64 * 8;
  const w = t + 40 * 8;
  for (let c = begin; c < end; c++) {
    for (let k = 0; k < outChannels; k++) {
      const at = sums + (<usize>(c * columnsRounded + k) << 2);
      for (let point = 0; point < POINTS; point++) store<f64>(s + (<usize>point << 3), <f64>load<f32>(at + <usize>point * pointStride));
      for (let row = 0; row < TILE_IN; row++) filterGradientRow(s + <usize>(row * 64), 8, t + <usize>(row * 40), 8);
      for (let column = 0; column < 5; column++) filterGradientRow(t + (<usize>column << 3), 40, w + (<usize>column << 3), 40);
      for (let tap = 0; tap < 25; tap++) {
        store<f32>(dFilter + (<usize>((tap * inChannels + c) * outChannels + k) << 2), <f32>load<f64>(w + (<usize>tap << 3)));
      }
    }
  }
}
