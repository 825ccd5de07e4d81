import { describe, expect, it } from 'vitest';
import { cpuSnapshot, othersBusyShare } from './contention.js';

describe('othersBusyShare', () => {
  it('subtracts our own CPU time from the machine busy time', () => {
    const start = { machineBusy: 1000, machineTotal: 10_000, ownBusy: 100 };
    expect(othersBusyShare(start, { machineBusy: 3000, machineTotal: 14_000, ownBusy: 1100 })).toBeCloseTo(0.25);
    expect(othersBusyShare(start, { machineBusy: 2000, machineTotal: 12_000, ownBusy: 1100 })).toBe(0);
    expect(othersBusyShare(start, start)).toBe(0);
  });

  it('reads real snapshots that only grow', () => {
    const first = cpuSnapshot();
    let spin = 0;
    for (let index = 0; index < 1e6; index++) spin += index;
    const second = cpuSnapshot();
    expect(spin).toBeGreaterThan(0);
    expect(second.ownBusy).toBeGreaterThanOrEqual(first.ownBusy);
    expect(second.machineTotal).toBeGreaterThanOrEqual(first.machineTotal);
    const share = othersBusyShare(first, second);
    expect(share).toBeGreaterThanOrEqual(0);
    expect(share).toBeLessThanOrEqual(1);
  });
});
