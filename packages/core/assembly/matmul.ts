// out[m, n] = activation(op(A) @ op(B) + bias), blocked GotoBLAS-style: a depth block of op(B) is
// packed into 8-column panels, a row block of op(A) into 4-row panels, and a 4x8 register-tile
// micro-kernel (8 f32x4 accumulators, within the 16 x86 vector registers V8 can use) does the work.
// Its multiply-adds are fused (f32x4.relaxed_madd) in the relaxed-SIMD build: see multiply-add.ts.

import { multiplyAdd } from './multiply-add';
import { activateVector } from './simd-math';
import { packA, packB, PANEL_ROWS, PANEL_COLS } from './pack';

/** Depth of one packed block: a 4x256 A panel and a 256x8 B panel stay in L1 together. */
export const DEPTH_BLOCK: i32 = 256;
/** Rows of op(A) packed at a time (128 x 256 floats = 128 KiB, in L2). */
export const ROW_BLOCK: i32 = 128;
/** Columns of op(B) packed at a time (256 x 512 floats = 512 KiB, in L2). */
export const COL_BLOCK: i32 = 512;

// Per-thread scratch layout, in bytes from the thread's scratch base.
const PACKED_A_OFFSET: usize = 0;
const PACKED_B_OFFSET: usize = PACKED_A_OFFSET + <usize>(ROW_BLOCK * DEPTH_BLOCK * 4);
const TILE_OFFSET: usize = PACKED_B_OFFSET + <usize>(DEPTH_BLOCK * COL_BLOCK * 4);
const TILE_BIAS_OFFSET: usize = TILE_OFFSET + <usize>(PANEL_ROWS * PANEL_COLS * 4);
/** Bytes of scratch memory each thread needs for matmul. */
export const MATMUL_SCRATCH_BYTES: usize = TILE_BIAS_OFFSET + <usize>(PANEL_COLS * 4) + 64;

/** Flag bits of the `flags` argument. */
const TRANSPOSE_A: i32 = 1;
const TRANSPOSE_B: i32 = 2;
const ACTIVATION_SHIFT: i32 = 2;

/**
 * Finishes one 8-wide row of a tile: adds the partial sum already in `out` unless this is the
 * first depth block, and applies bias + activation after the last one.
 */
// @ts-ignore: decorator
@inline function finishRow(
  out: usize, low: v128, high: v128, first: bool, last: bool, bias: usize, activation: i32,
): void {
  if (!first) {
    low = f32x4.add(low, v128.load(out));
    high = f32x4.add(high, v128.load(out, 16));
  }
  if (last) {
    if (bias != 0) {
      low = f32x4.add(low, v128.load(bias));
      high = f32x4.add(high, v128.load(bias, 16));
    }
    low = activateVector(low, activation);
    high = activateVector(high, activation);
  }
  v128.store(out, low);
  v128.store(out, high, 16);
}

/** The 4x8 micro-kernel over `depth` steps of packed panels; `outStride` is in bytes. */
function microKernel(
  depth: i32, packedA: usize, packedB: usize, out: usize, outStride: usize,
  first: bool, last: bool, bias: usize, activation: i32,
): void {
  let c00 = f32x4.splat(0), c01 = f32x4.splat(0);
  let c10 = f32x4.splat(0), c11 = f32x4.splat(0);
  let c20 = f32x4.splat(0), c21 = f32x4.splat(0);
  let c30 = f32x4.splat(0), c31 = f32x4.splat(0);
  let pa = packedA, pb = packedB;
  for (let d = 0; d < depth; d++) {
    const b0 = v128.load(pb);
    const b1 = v128.load(pb, 16);
    let a = v128.load32_splat(pa);
    c00 = multiplyAdd(a, b0, c00);
    c01 = multiplyAdd(a, b1, c01);
    a = v128.load32_splat(pa, 4);
    c10 = multiplyAdd(a, b0, c10);
    c11 = multiplyAdd(a, b1, c11);
    a = v128.load32_splat(pa, 8);
    c20 = multiplyAdd(a, b0, c20);
    c21 = multiplyAdd(a, b1, c21);
    a = v128.load32_splat(pa, 12);
    c30 = multiplyAdd(a, b0, c30);
    c31 = multiplyAdd(a, b1, c31);
    pa += 16;
    pb += 32;
  }
  finishRow(out, c00, c01, first, last, bias, activation);
  finishRow(out + outStride, c10, c11, first, last, bias, activation);
  finishRow(out + 2 * outStride, c20, c21, first, last, bias, activation);
  finishRow(out + 3 * outStride, c30, c31, first, last, bias, activation);
}

/** A tile cut by the matrix edge: computed whole into scratch, then only its valid part is merged. */
function edgeTile(
  depth: i32, packedA: usize, packedB: usize, out: usize, outStride: usize, rows: i32, cols: i32,
  first: bool, last: bool, bias: usize, activation: i32, scratch: usize,
): void {
  const tile = scratch + TILE_OFFSET;
  const tileBias = scratch + TILE_BIAS_OFFSET;
  microKernel(depth, packedA, packedB, tile, PANEL_COLS * 4, true, false, 0, 0);
  for (let c = 0; c < PANEL_COLS; c++) store<f32>(tileBias + (c << 2), bias != 0 && c < cols ? load<f32>(bias + (c << 2)) : 0);
  for (let r = 0; r < rows; r++) {
    const tileRow = tile + <usize>(r * PANEL_COLS * 4);
    const outRow = out + <usize>r * outStride;
    if (!first) {
      for (let c = 0; c < cols; c++) store<f32>(tileRow + (c << 2), load<f32>(tileRow + (c << 2)) + load<f32>(outRow + (c << 2)));
    }
    if (last) finishRow(tileRow, v128.load(tileRow), v128.load(tileRow, 16), true, true, tileBias, activation);
    for (let c = 0; c < cols; c++) store<f32>(outRow + (c << 2), load<f32>(tileRow + (c << 2)));
  }
}

/**
 * Computes the output block rows [rowStart, rowEnd) x columns [colStart, colEnd) of the product.
 * `flags`: bit 0 transposes A, bit 1 transposes B, bits 2+ hold the activation code.
 */
export function matmulBlock(
  scratch: usize, a: usize, b: usize, out: usize, bias: usize, m: i32, n: i32, k: i32, flags: i32,
  rowStart: i32, rowEnd: i32, colStart: i32, colEnd: i32,
): void {
  const transposeA = (flags & TRANSPOSE_A) != 0;
  const transposeB = (flags & TRANSPOSE_B) != 0;
  const activation = flags >> ACTIVATION_SHIFT;
  const packedA = scratch + PACKED_A_OFFSET;
  const packedB = scratch + PACKED_B_OFFSET;
  const outStride = <usize>n << 2;
  for (let col0 = colStart; col0 < colEnd; col0 += COL_BLOCK) {
    const cols = min(COL_BLOCK, colEnd - col0);
    for (let depth0 = 0; depth0 < k; depth0 += DEPTH_BLOCK) {
      const depth = min(DEPTH_BLOCK, k - depth0);
      const first = depth0 == 0;
      const last = depth0 + depth >= k;
      packB(b, n, k, transposeB, depth0, depth, col0, cols, packedB);
      for (let row0 = rowStart; row0 < rowEnd; row0 += ROW_BLOCK) {
        const rows = min(ROW_BLOCK, rowEnd - row0);
        packA(a, m, k, transposeA, row0, rows, depth0, depth, packedA);
        for (let panelCol = 0; panelCol < cols; panelCol += PANEL_COLS) {
          const validCols = min(PANEL_COLS, cols - panelCol);
          const panelB = packedB + <usize>(panelCol * depth * 4);
          const column = col0 + panelCol;
          const biasAt = bias != 0 ? bias + (<usize>column << 2) : 0;
          for (let panelRow = 0; panelRow < rows; panelRow += PANEL_ROWS) {
            const validRows = min(PANEL_ROWS, rows - panelRow);
            const panelA = packedA + <usize>(panelRow * depth * 4);
            const outTile = out + ((<usize>(row0 + panelRow) * n + column) << 2);
            if (validRows == PANEL_ROWS && validCols == PANEL_COLS) {
              microKernel(depth, panelA, panelB, outTile, outStride, first, last, biasAt, activation);
            } else {
              edgeTile(depth, panelA, panelB, outTile, outStride, validRows, validCols, first, last, biasAt, activation, scratch);
            }
          }
        }
      }
    }
  }
}
