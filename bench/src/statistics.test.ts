import { describe, expect, it } from 'vitest';
import { measureMedianMilliseconds, median } from './statistics.js';

describe('median', () => {
  it('takes the middle value, or the mean of the middle two', () => {
    expect(median([5, 1, 3])).toBe(3);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(() => median([])).toThrow(/no values/);
  });
});

describe('measureMedianMilliseconds', () => {
  it('warms up, then runs between minRuns and maxRuns times', async () => {
    let calls = 0;
    const run = async () => { calls++; };
    const fewest = await measureMedianMilliseconds(run, { warmup: 2, minRuns: 3, minMilliseconds: 0, maxRuns: 10 });
    expect(fewest.runs).toBe(3);
    expect(calls).toBe(5);
    const capped = await measureMedianMilliseconds(run, { warmup: 0, minRuns: 1, minMilliseconds: 60_000, maxRuns: 4 });
    expect(capped.runs).toBe(4);
    expect(capped.milliseconds).toBeGreaterThanOrEqual(0);
  });
});
