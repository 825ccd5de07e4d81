// The efficiency report at a reduced size (CI): the claims of the README's tables, checked on real
// Fashion-MNIST with a little training. The full run is `pnpm --filter @dendrite/bench efficiency`.

import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { dataRoot, loadFashionMnist } from '../fashion-mnist.js';
import { efficiencyReport, energyAvailability, formatReport, type EfficiencyOptions } from './report.js';

const available = existsSync(join(dataRoot(), 'fashion-mnist', 'train-images-idx3-ubyte.gz'));

const REDUCED: EfficiencyOptions = {
  trainImages: 3072, testImages: 1000, mlpEpochs: 2, cnnEpochs: 1, pruneEpochs: 1, sparsities: [0.5, 0.9], timedRuns: 3, seed: 1,
};

describe.skipIf(!available)('efficiency report (reduced)', () => {
  it('quantizes to int8 at over 3.5x smaller with accuracy close to float32, halves the file with float16, and prunes to the asked sparsity', async () => {
    const data = await loadFashionMnist();
    const report = await efficiencyReport(data, REDUCED);
    for (const model of [report.mlp, report.cnn]) {
      const [float32, float16, dynamic, calibrated] = model.rows;
      // Far above chance (10%): the reduced CNN sees 3,072 images once.
      expect(float32.accuracy).toBeGreaterThan(model.model === 'mlp' ? 0.7 : 0.3);
      expect(float32.fileBytes / float16.fileBytes).toBeGreaterThan(1.9);
      expect(float16.agreement).toBeGreaterThan(0.995);
      for (const int8 of [dynamic, calibrated]) {
        expect(float32.fileBytes / int8.fileBytes).toBeGreaterThan(3.5);
        // Reduced training leaves more images near a decision boundary; the full run's bound is 0.5 points.
        expect(Math.abs(int8.accuracy - float32.accuracy)).toBeLessThan(0.015);
        expect(int8.agreement).toBeGreaterThan(0.97);
        expect(int8.imagesPerSecond).toBeGreaterThan(0);
      }
    }
    const [dense, half, ninety] = report.pruning;
    expect(dense.sparsity).toBe(0);
    expect(half.measuredSparsity).toBeCloseTo(0.5, 2);
    expect(ninety.measuredSparsity).toBeCloseTo(0.9, 2);
    expect(ninety.accuracy).toBeGreaterThan(0.2); // 24 fine-tuning steps here; the full run's table has the real figure
    // Zeros compress: the 90%-sparse file gzips far smaller than the dense one (same raw size).
    expect(ninety.fileBytes).toBe(dense.fileBytes);
    expect(ninety.gzipBytes).toBeLessThan(0.4 * dense.gzipBytes);
    expect(ninety.int8GzipBytes).toBeLessThan(ninety.gzipBytes);
    const text = formatReport(report, REDUCED);
    if (process.env.DENDRITE_PRINT_REPORT) console.log(text);
    expect(text).toContain('| int8, dynamic scales |');
    expect(text).toContain('| 90.00% |');
    expect(text).toContain('Energy:');
  }, 600_000);
});

describe('energyAvailability', () => {
  it('says when there is no energy counter to read', () => {
    expect(energyAvailability('/nonexistent/energy_uj')).toMatch(/absent here, so joules are not reported/);
  });
});
