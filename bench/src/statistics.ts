/** Median of a non-empty list (mean of the middle two for even lengths). */
export function median(values: readonly number[]): number {
  if (values.length === 0) throw new Error('median: no values');
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/** How many times to run a measured function. */
export interface RepetitionPlan {
  /** Untimed runs first, so JIT, worker start-up and allocation caches settle. */
  warmup: number;
  /** Timed runs at least this many... */
  minRuns: number;
  /** ...and keep going until this much time has passed in timed runs... */
  minMilliseconds: number;
  /** ...but never more than this many. */
  maxRuns: number;
}

/** A warm-up run longer than this ends the warm-up. */
const SLOW_RUN_MILLISECONDS = 1000;

/** Median milliseconds of `run` (which must finish its work, reading results back, before resolving). */
export async function measureMedianMilliseconds(
  run: () => Promise<void>,
  plan: RepetitionPlan,
): Promise<{ milliseconds: number; runs: number }> {
  for (let index = 0; index < plan.warmup; index++) {
    const start = performance.now();
    await run();
    // One run this slow has warmed everything up; more would only cost time.
    if (performance.now() - start > SLOW_RUN_MILLISECONDS) break;
  }
  const times: number[] = [];
  let total = 0;
  while (times.length < plan.maxRuns && (times.length < plan.minRuns || total < plan.minMilliseconds)) {
    const start = performance.now();
    await run();
    const elapsed = performance.now() - start;
    times.push(elapsed);
    total += elapsed;
  }
  return { milliseconds: median(times), runs: times.length };
}
