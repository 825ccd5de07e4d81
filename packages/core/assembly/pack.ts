// Packing copies a block of op(A) or op(B) into the contiguous, zero-padded panel layout the
// micro-kernel streams through: A as panels of 4 rows stored [k][4], B as panels of 8 columns
// stored [k][8]. Transposed operands are handled here, so the micro-kernel never sees a stride.

export const PANEL_ROWS: i32 = 4;
export const PANEL_COLS: i32 = 8;

/** Transposes the 4x4 block held in rows r0..r3 and stores its columns at dst, dst+stride, ... */
// @ts-ignore: decorator
@inline function transposeStore4x4(r0: v128, r1: v128, r2: v128, r3: v128, dst: usize, stride: usize): void {
  const t0 = f32x4.shuffle(r0, r1, 0, 4, 1, 5);
  const t1 = f32x4.shuffle(r0, r1, 2, 6, 3, 7);
  const t2 = f32x4.shuffle(r2, r3, 0, 4, 1, 5);
  const t3 = f32x4.shuffle(r2, r3, 2, 6, 3, 7);
  v128.store(dst, f32x4.shuffle(t0, t2, 0, 1, 4, 5));
  v128.store(dst + stride, f32x4.shuffle(t0, t2, 2, 3, 6, 7));
  v128.store(dst + 2 * stride, f32x4.shuffle(t1, t3, 0, 1, 4, 5));
  v128.store(dst + 3 * stride, f32x4.shuffle(t1, t3, 2, 3, 6, 7));
}

/**
 * Packs rows [rowStart, rowStart + rows) and depth [depthStart, depthStart + depth) of op(A)
 * (op(A) is [m, k]; A is stored [m, k], or [k, m] when transposed) into 4-row panels.
 */
export function packA(
  a: usize, m: i32, k: i32, transposed: bool,
  rowStart: i32, rows: i32, depthStart: i32, depth: i32, dst: usize,
): void {
  for (let panelRow = 0; panelRow < rows; panelRow += PANEL_ROWS) {
    const valid = min(PANEL_ROWS, rows - panelRow);
    const row0 = rowStart + panelRow;
    if (transposed) {
      // op(A)[i][d] = A[d][i]: the 4 rows of one depth step are adjacent in memory.
      let src = a + ((<usize>depthStart * m + row0) << 2);
      const srcStep = <usize>m << 2;
      if (valid == PANEL_ROWS) {
        for (let d = 0; d < depth; d++) {
          v128.store(dst, v128.load(src));
          src += srcStep; dst += 16;
        }
      } else {
        for (let d = 0; d < depth; d++) {
          for (let r = 0; r < PANEL_ROWS; r++) store<f32>(dst + (r << 2), r < valid ? load<f32>(src + (r << 2)) : 0);
          src += srcStep; dst += 16;
        }
      }
    } else {
      const rowBytes = <usize>k << 2;
      const src = a + (<usize>row0 * k + depthStart) * 4;
      if (valid == PANEL_ROWS) {
        let d = 0;
        for (; d + 4 <= depth; d += 4) {
          const s = src + (<usize>d << 2);
          transposeStore4x4(v128.load(s), v128.load(s + rowBytes), v128.load(s + 2 * rowBytes), v128.load(s + 3 * rowBytes), dst, 16);
          dst += 64;
        }
        for (; d < depth; d++) {
          const s = src + (<usize>d << 2);
          for (let r = 0; r < PANEL_ROWS; r++) store<f32>(dst + (r << 2), load<f32>(s + <usize>r * rowBytes));
          dst += 16;
        }
      } else {
        for (let d = 0; d < depth; d++) {
          const s = src + (<usize>d << 2);
          for (let r = 0; r < PANEL_ROWS; r++) store<f32>(dst + (r << 2), r < valid ? load<f32>(s + <usize>r * rowBytes) : 0);
          dst += 16;
        }
      }
    }
  }
}

/**
 * Packs depth [depthStart, depthStart + depth) and columns [colStart, colStart + cols) of op(B)
 * (op(B) is [k, n]; B is stored [k, n], or [n, k] when transposed) into 8-column panels.
 */
export function packB(
  b: usize, n: i32, k: i32, transposed: bool,
  depthStart: i32, depth: i32, colStart: i32, cols: i32, dst: usize,
): void {
  for (let panelCol = 0; panelCol < cols; panelCol += PANEL_COLS) {
    const valid = min(PANEL_COLS, cols - panelCol);
    const col0 = colStart + panelCol;
    if (!transposed) {
      // op(B)[d][j] = B[d][j]: each depth step of a panel is 8 adjacent floats.
      let src = b + ((<usize>depthStart * n + col0) << 2);
      const srcStep = <usize>n << 2;
      if (valid == PANEL_COLS) {
        for (let d = 0; d < depth; d++) {
          v128.store(dst, v128.load(src));
          v128.store(dst, v128.load(src, 16), 16);
          src += srcStep; dst += 32;
        }
      } else {
        for (let d = 0; d < depth; d++) {
          for (let c = 0; c < PANEL_COLS; c++) store<f32>(dst + (c << 2), c < valid ? load<f32>(src + (c << 2)) : 0);
          src += srcStep; dst += 32;
        }
      }
    } else {
      // op(B)[d][j] = B[j][d]: 8 stored rows, transposed 4x4 at a time.
      const rowBytes = <usize>k << 2;
      const src = b + (<usize>col0 * k + depthStart) * 4;
      if (valid == PANEL_COLS) {
        let d = 0;
        for (; d + 4 <= depth; d += 4) {
          const s = src + (<usize>d << 2);
          transposeStore4x4(v128.load(s), v128.load(s + rowBytes), v128.load(s + 2 * rowBytes), v128.load(s + 3 * rowBytes), dst, 32);
          const s4 = s + 4 * rowBytes;
          transposeStore4x4(v128.load(s4), v128.load(s4 + rowBytes), v128.load(s4 + 2 * rowBytes), v128.load(s4 + 3 * rowBytes), dst + 16, 32);
          dst += 128;
        }
        for (; d < depth; d++) {
          const s = src + (<usize>d << 2);
          for (let c = 0; c < PANEL_COLS; c++) store<f32>(dst + (c << 2), load<f32>(s + <usize>c * rowBytes));
          dst += 32;
        }
      } else {
        for (let d = 0; d < depth; d++) {
          const s = src + (<usize>d << 2);
          for (let c = 0; c < PANEL_COLS; c++) store<f32>(dst + (c << 2), c < valid ? load<f32>(s + <usize>c * rowBytes) : 0);
          dst += 32;
        }
      }
    }
  }
}
