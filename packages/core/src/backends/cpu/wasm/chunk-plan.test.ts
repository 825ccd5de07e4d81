import { describe, expect, it } from 'vitest';
import { MATMUL_PARALLEL_MIN_MACS, planElementwise, planMatmulGrid } from './chunk-plan.js';

describe('planMatmulGrid', () => {
  it('keeps small products and single threads in one chunk', () => {
    expect(planMatmulGrid(64, 64, 63, 2)).toEqual({ chunkRows: 64, chunkCols: 64, chunkCount: 1 });
    expect(planMatmulGrid(1024, 1024, 1024, 1)).toEqual({ chunkRows: 1024, chunkCols: 1024, chunkCount: 1 });
  });

  it('covers the output exactly with tile-aligned chunks, at least one per thread', () => {
    const shapes: Array<[number, number, number]> = [
      [128, 128, 784], [784, 128, 128], [128, 64, 128], [1, 4096, 512], [4096, 1, 512], [1024, 1024, 1024],
      [517, 9, 100], [3, 3000, 3000], [100, 100, 100],
    ];
    for (const threads of [2, 3, 4, 8]) {
      for (const [m, n, k] of shapes) {
        const grid = planMatmulGrid(m, n, k, threads);
        if (m * n * k < MATMUL_PARALLEL_MIN_MACS) continue;
        const rowChunks = Math.ceil(m / grid.chunkRows);
        const colChunks = Math.ceil(n / grid.chunkCols);
        expect(grid.chunkCount).toBe(rowChunks * colChunks);
        expect(grid.chunkRows === m || grid.chunkRows % 4 === 0).toBe(true);
        expect(grid.chunkCols === n || grid.chunkCols % 8 === 0).toBe(true);
        // Without enough rows and columns to cut, one chunk per thread cannot be had.
        if (Math.ceil(m / 4) * Math.ceil(n / 8) >= threads) expect(grid.chunkCount).toBeGreaterThanOrEqual(threads);
        expect(grid.chunkCount).toBeLessThanOrEqual(0xffff);
      }
    }
  });
});

describe('planElementwise', () => {
  it('cuts long arrays into 4-aligned chunks that cover them exactly', () => {
    for (const length of [1 << 16, 100_003, 1 << 20, 12_345_679]) {
      for (const threads of [2, 4]) {
        const plan = planElementwise(length, threads);
        expect(plan.chunkLength % 4).toBe(0);
        expect(plan.chunkCount * plan.chunkLength).toBeGreaterThanOrEqual(length);
        expect((plan.chunkCount - 1) * plan.chunkLength).toBeLessThan(length);
        expect(plan.chunkCount).toBeGreaterThanOrEqual(threads);
      }
    }
  });

  it('keeps short arrays and single threads in one chunk', () => {
    expect(planElementwise(20_000, 2)).toEqual({ chunkLength: 20_000, chunkCount: 1 });
    expect(planElementwise(1 << 20, 1)).toEqual({ chunkLength: 1 << 20, chunkCount: 1 });
  });
});
