/** Side of the square tiles a transpose copies, so reads and writes both stay in cache. */
const TILE = 32;

/**
 * Write the transpose of the row-major [rows, cols] matrix at `source[sourceOffset..]` into
 * `target[targetOffset..]` as [cols, rows]. Tiled, so both sides are walked cache-friendly.
 */
export function transposeInto(
  source: ArrayLike<number>, sourceOffset: number, rows: number, cols: number,
  target: { [index: number]: number }, targetOffset: number,
): void {
  for (let row0 = 0; row0 < rows; row0 += TILE) {
    const row1 = Math.min(rows, row0 + TILE);
    for (let col0 = 0; col0 < cols; col0 += TILE) {
      const col1 = Math.min(cols, col0 + TILE);
      for (let row = row0; row < row1; row++) {
        const sourceRow = sourceOffset + row * cols;
        for (let col = col0; col < col1; col++) target[targetOffset + col * rows + row] = source[sourceRow + col];
      }
    }
  }
}
