/**
 * How a kernel call is cut into chunks for the thread pool. Every chunk of a matmul packs its own
 * slices of A and B, so chunks are kept square-ish and few (packing costs ~1/rows + 1/cols of the
 * work); elementwise chunks just need to be long enough to amortise a claim.
 */

/** Below this many multiply-adds a matmul stays on the calling thread (a worker hand-off costs µs). */
export const MATMUL_PARALLEL_MIN_MACS = 1 << 18;
/** Above this many multiply-adds, cut a matmul into ~4 chunks per thread so a late thread costs little. */
const MATMUL_FINE_CHUNKS_MIN_MACS = 1 << 24;
/** Register tile of the micro-kernel: chunk edges land on it so no chunk adds edge tiles. */
const TILE_ROWS = 4;
const TILE_COLS = 8;

export interface MatmulGrid {
  /** Output rows per chunk (a multiple of 4 unless it covers all rows). */
  chunkRows: number;
  /** Output columns per chunk (a multiple of 8 unless it covers all columns). */
  chunkCols: number;
  chunkCount: number;
}

/** `value` rounded up to a multiple of `multiple`. */
export function roundUp(value: number, multiple: number): number {
  return Math.ceil(value / multiple) * multiple;
}

/** Cuts the [m, n] output into chunks for `threads` threads. */
export function planMatmulGrid(m: number, n: number, k: number, threads: number): MatmulGrid {
  const macs = m * n * k;
  if (threads <= 1 || macs < MATMUL_PARALLEL_MIN_MACS) return { chunkRows: m, chunkCols: n, chunkCount: 1 };
  const target = macs >= MATMUL_FINE_CHUNKS_MIN_MACS ? threads * 4 : threads;
  let best: MatmulGrid = { chunkRows: m, chunkCols: n, chunkCount: 1 };
  let bestCost = Infinity;
  for (let rowParts = 1; rowParts <= target; rowParts++) {
    const colParts = Math.ceil(target / rowParts);
    const chunkRows = Math.min(m, roundUp(Math.ceil(m / rowParts), TILE_ROWS));
    const chunkCols = Math.min(n, roundUp(Math.ceil(n / colParts), TILE_COLS));
    const chunkCount = Math.ceil(m / chunkRows) * Math.ceil(n / chunkCols);
    if (chunkCount < threads) continue;
    // Packing overhead per multiply-add, plus the idle share when chunks do not divide evenly.
    const rounds = Math.ceil(chunkCount / threads);
    const imbalance = (rounds * threads - chunkCount) / (rounds * threads);
    const cost = 4 / chunkRows + 4 / chunkCols + imbalance;
    if (cost < bestCost) {
      bestCost = cost;
      best = { chunkRows, chunkCols, chunkCount };
    }
  }
  return best;
}

/** Elementwise calls shorter than this stay on the calling thread. */
const ELEMENTWISE_PARALLEL_MIN_LENGTH = 1 << 16;
/** Shortest chunk worth a claim. */
const ELEMENTWISE_MIN_CHUNK = 1 << 14;

export interface ElementwisePlan {
  chunkLength: number;
  chunkCount: number;
}

/** Cuts `length` elements into chunks (a multiple of 4 long, so only the last has a ragged end). */
export function planElementwise(length: number, threads: number, parallelMinLength = ELEMENTWISE_PARALLEL_MIN_LENGTH): ElementwisePlan {
  if (threads <= 1 || length < parallelMinLength) return { chunkLength: Math.max(length, 1), chunkCount: 1 };
  const chunkLength = roundUp(Math.max(ELEMENTWISE_MIN_CHUNK, Math.ceil(length / (threads * 2))), 4);
  return { chunkLength, chunkCount: Math.ceil(length / chunkLength) };
}

/**
 * Units (images, output rows, column groups) per chunk when `units` are spread over `threads`:
 * `perThread` chunks per thread to even out their speeds, one chunk on a single thread.
 */
export function unitsPerChunk(units: number, threads: number, perThread: number): number {
  const chunks = Math.min(units, threads === 1 ? 1 : threads * perThread);
  return Math.max(1, Math.ceil(units / Math.max(1, chunks)));
}
