import { describe, expect, it } from 'vitest';
import type { BenchRecord } from './records.js';
import { renderRepeats, repeatsPassed, summarizeRepeats } from './repeats.js';

const epoch = (value: number, loss: number, testAccuracy: number): BenchRecord =>
  ({ name: 'cnn epoch', impl: 'dendrite-cpu', value, unit: 's', details: { loss, testAccuracy } });
const matmul = (value: number): BenchRecord => ({ name: 'matmul 256', impl: 'dendrite-cpu', value, unit: 'GFLOP/s' });

describe('summarizeRepeats', () => {
  it('passes runs that all completed with the same loss and accuracy, and shows the spread of times', () => {
    const runs = [12.5, 11.9, 13.4].map((seconds) => ({ records: [epoch(seconds, 0.5689123, 0.8372), matmul(40)] }));
    const summaries = summarizeRepeats('dendrite-cpu', runs);
    expect(summaries.map((summary) => summary.name)).toEqual(['cnn epoch', 'matmul 256']);
    expect(summaries[0]).toMatchObject({ runs: 3, completed: 3, values: [12.5, 11.9, 13.4], identicalTraining: true });
    expect(summaries[1].identicalTraining).toBeUndefined();
    expect(repeatsPassed(summaries)).toBe(true);
    const text = renderRepeats(summaries, []);
    expect(text).toContain('cnn epoch (dendrite-cpu): 3/3 runs completed; min 11.9, median 12.5, max 13.4 s');
    expect(text).toContain('identical in every run: mean loss 0.5689123, test accuracy 0.8372');
  });

  it('fails a run that crashed or a loss that moved, naming both', () => {
    const runs = [
      { records: [epoch(12, 0.5689, 0.8357)] },
      { records: [epoch(12, 0.5694, 0.8375)] },
      { records: [], error: "cnn epoch: wasm kernel 'conv2dFilterGradChunk' failed in worker thread 1" },
    ];
    const summaries = summarizeRepeats('dendrite-cpu', runs);
    expect(summaries[0]).toMatchObject({ runs: 3, completed: 2, identicalTraining: false });
    expect(repeatsPassed(summaries)).toBe(false);
    const text = renderRepeats(summaries, ['run 3: ' + runs[2].error]);
    expect(text).toContain('DIFFERENT between runs: mean loss 0.5689 | 0.5694; test accuracy 0.8357 | 0.8375');
    expect(text).toContain("FAILED run 3: cnn epoch: wasm kernel 'conv2dFilterGradChunk'");
  });
});
