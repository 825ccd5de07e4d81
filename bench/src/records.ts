// The shapes a benchmark run produces: measured records, rows an implementation could not run, and
// the file written to results/.
import type { RepeatSummary } from './repeats.js';

/**
 * The implementations compared, ours first. `dendrite-cpu` is the CPU backend as `ready()` sets it
 * up in a plain Node (the relaxed-SIMD kernels on Node 22+, SIMD128 on Node 20);
 * `dendrite-cpu-relaxed` forces the relaxed-SIMD kernels (its process gets Node 20's flag).
 * `pytorch-cpu` runs in Python (torch_bench.py), the others in Node (src/worker.ts).
 */
export const IMPLEMENTATIONS = ['dendrite-cpu', 'dendrite-cpu-relaxed', 'tfjs-cpu', 'tfjs-wasm', 'pytorch-cpu', 'jax-js'] as const;
export type ImplementationName = (typeof IMPLEMENTATIONS)[number];

/** Our implementation: the one every ratio is computed for. */
export const OURS: ImplementationName = 'dendrite-cpu';

export type Unit = 'GFLOP/s' | 'ms' | 's' | 'images/s';

/** Units where a bigger number is better; for the others (times) smaller is better. */
const HIGHER_IS_BETTER: ReadonlySet<Unit> = new Set<Unit>(['GFLOP/s', 'images/s']);

export function higherIsBetter(unit: Unit): boolean {
  return HIGHER_IS_BETTER.has(unit);
}

/** Facts about a record beyond its value: training quality, or how it was obtained. */
export interface RecordDetails {
  /** Mean training loss over the batches that ran. */
  loss?: number;
  /** Accuracy on the 10,000 test images after training. */
  testAccuracy?: number;
  /** True when the value was scaled up from a slice of the work (quick runs). */
  extrapolated?: boolean;
  /** Batches actually run, and how many a full epoch has. */
  batchesRun?: number;
  batchesPerEpoch?: number;
  /** Timed runs the median was taken over. */
  runs?: number;
}

/** One measurement: `name` is the workload and its size, e.g. `matmul 512`. */
export interface BenchRecord {
  name: string;
  impl: ImplementationName;
  value: number;
  unit: Unit;
  details?: RecordDetails;
}

/** A workload an implementation did not run, and why (shown in the table instead of a number). */
export interface SkippedRow {
  name: string;
  impl: ImplementationName;
  reason: string;
}

/** What one child process reports back for its implementation. */
export interface ImplementationReport {
  impl: ImplementationName;
  /** One line describing the backend as it ran (threads, SIMD, kernels). */
  backend: string;
  records: BenchRecord[];
  skipped: SkippedRow[];
  /** Share of all cores other processes used while this implementation ran. */
  othersBusy?: number;
  /** Set when the child failed part-way; the records before the failure are kept. */
  error?: string;
}

/** The whole run, as written to results/*.json. */
export interface BenchResults {
  date: string;
  quick: boolean;
  only: string | null;
  machine: {
    cpus: number;
    cpuModel: string;
    node: string;
    platform: string;
    /**
     * Share of all cores that other processes used while each implementation ran (0 = it had the
     * machine to itself): well above 0 means they competed for the cores.
     */
    othersBusy?: Partial<Record<ImplementationName, number>>;
  };
  backends: Partial<Record<ImplementationName, string>>;
  records: BenchRecord[];
  skipped: SkippedRow[];
  errors: Partial<Record<ImplementationName, string>>;
  /**
   * With --repeat: every run of every workload (the table shows the first run's records). See
   * src/repeats.ts.
   */
  repeats?: RepeatSummary[];
}

/** Every workload with its unit, in the order the table lists them. */
export const WORKLOAD_UNITS = {
  'matmul 256': 'GFLOP/s',
  'matmul 512': 'GFLOP/s',
  'matmul 1024': 'GFLOP/s',
  'conv2d fwd+bwd 64x28x28x8': 'ms',
  'mlp train step': 'ms',
  'mlp train step (layers)': 'ms',
  'mlp epoch': 's',
  'mlp epoch (fit loop)': 's',
  'mlp inference 256': 'images/s',
  'mlp inference 256 (int8)': 'images/s',
  'cnn train step': 'ms',
  'cnn train step (layers)': 'ms',
  'cnn epoch': 's',
  'cnn epoch (fit loop)': 's',
  'cnn inference 256': 'images/s',
  'cnn inference 256 (int8)': 'images/s',
} as const satisfies Record<string, Unit>;
export type WorkloadName = keyof typeof WORKLOAD_UNITS;
export const WORKLOAD_NAMES = Object.keys(WORKLOAD_UNITS) as WorkloadName[];
