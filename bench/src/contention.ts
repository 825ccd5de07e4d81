import { cpus } from 'node:os';

/** CPU time of the whole machine and of this process (all its threads) at one moment, in ms. */
export interface CpuSnapshot {
  machineBusy: number;
  machineTotal: number;
  ownBusy: number;
}

export function cpuSnapshot(): CpuSnapshot {
  let machineBusy = 0;
  let machineTotal = 0;
  for (const cpu of cpus()) {
    const { idle, ...busy } = cpu.times;
    const busyTime = Object.values(busy).reduce((sum, time) => sum + time, 0);
    machineBusy += busyTime;
    machineTotal += busyTime + idle;
  }
  const own = process.cpuUsage();
  return { machineBusy, machineTotal, ownBusy: (own.user + own.system) / 1000 };
}

/**
 * Share of all cores that other processes used between two snapshots (0 = we had the machine to
 * ourselves, 0.5 = another process kept one of two cores busy).
 */
export function othersBusyShare(start: CpuSnapshot, end: CpuSnapshot): number {
  const total = end.machineTotal - start.machineTotal;
  if (total <= 0) return 0;
  const others = end.machineBusy - start.machineBusy - (end.ownBusy - start.ownBusy);
  return Math.min(1, Math.max(0, others / total));
}
