// The `pytorch-cpu` implementation: torch_bench.py, in a Python process of its own, speaking the Node
// workers' protocol (an ImplementationReport written to BENCH_REPORT_FILE). This side decides what it
// runs and hands it the shared initial weights and batch order, so every implementation trains the same
// model on the same batches.
import { spawn, spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeFileAtomically } from '@dendrite/datasets/node';
import { dataRoot } from '../fashion-mnist.js';
import type { ParameterValues } from '../implementation.js';
import type { BenchOptions } from '../options.js';
import { cnnParameters, mlpParameters } from '../parameters.js';
import { WORKLOAD_UNITS, type ImplementationReport, type SkippedRow, type Unit, type WorkloadName } from '../records.js';
import { epochOrder } from '../training.js';
import { SHUFFLE_SEED, WEIGHT_SEED, WORKLOADS } from '../workloads.js';

const SCRIPT = fileURLToPath(new URL('../../torch_bench.py', import.meta.url));
/** Fashion-MNIST's training images: the length of the shared batch order. */
const TRAIN_IMAGES = 60000;

/** What torch_bench.py reads: see the docstring there. */
export interface PytorchInputs {
  quick: boolean;
  dataFolder: string;
  shuffleSeed: number;
  workloads: { name: WorkloadName; unit: Unit }[];
  skipped: SkippedRow[];
  parameters: { mlp: { name: string; shape: number[]; values: number[] }[]; cnn: { name: string; shape: number[]; values: number[] }[] };
  /** Indices of the training images in the order the epochs see them. */
  order: number[];
}

/**
 * Pythons to try, in order: BENCH_PYTHON alone when set, else `python3` on the PATH and then Debian's
 * /usr/bin/python3 (where python3-torch installs; a virtual environment's python3 may come first on the PATH).
 */
export function pythonCandidates(env: NodeJS.ProcessEnv = process.env): string[] {
  if (env.BENCH_PYTHON) return [env.BENCH_PYTHON];
  return ['python3', '/usr/bin/python3'];
}

/**
 * The environment of the PyTorch process: ours without OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE, which
 * pin OpenBLAS to a slower generic kernel when set; only this child loses them.
 */
export function pytorchEnvironment(env: NodeJS.ProcessEnv, reportFile: string): NodeJS.ProcessEnv {
  const { OPENBLAS_CORETYPE: _coreType, OPENBLAS_L2_SIZE: _l2Size, ...rest } = env;
  return { ...rest, BENCH_REPORT_FILE: reportFile };
}

/** The first Python where `import torch` works, or why none does (`{ unavailable }`, for the table's note). */
export function findPytorch(env: NodeJS.ProcessEnv = process.env): { python: string } | { unavailable: string } {
  const failures: string[] = [];
  for (const python of pythonCandidates(env)) {
    const probe = spawnSync(python, ['-c', 'import torch'], { env, encoding: 'utf8', timeout: 120_000 });
    if (!probe.error && probe.status === 0) return { python };
    const why = probe.error ? `could not be started: ${probe.error.message}` : (probe.stderr.trim().split('\n').at(-1) || `exit code ${probe.status}`);
    failures.push(`${python} -c 'import torch' failed (${why})`);
  }
  return { unavailable: `PyTorch not available: ${failures.join('; ')}` };
}

function plainParameters(parameters: readonly ParameterValues[]) {
  return parameters.map(({ name, shape, values }) => ({ name, shape, values: Array.from(values) }));
}

/** The inputs for a run with these options: the workloads the options select, minus those skipped for PyTorch. */
export async function pytorchInputs(options: Pick<BenchOptions, 'quick' | 'only'>, dataFolder: string): Promise<PytorchInputs> {
  const selected = WORKLOADS.filter((workload) => !options.only || options.only.test(workload.name));
  const skipped = selected.filter((workload) => workload.skip?.['pytorch-cpu'])
    .map((workload) => ({ name: workload.name, impl: 'pytorch-cpu' as const, reason: workload.skip!['pytorch-cpu']! }));
  return {
    quick: options.quick,
    dataFolder,
    shuffleSeed: SHUFFLE_SEED,
    workloads: selected.filter((workload) => !workload.skip?.['pytorch-cpu']).map((workload) => ({ name: workload.name, unit: WORKLOAD_UNITS[workload.name] })),
    skipped,
    parameters: { mlp: plainParameters(mlpParameters(WEIGHT_SEED)), cnn: plainParameters(cnnParameters(WEIGHT_SEED)) },
    order: Array.from(await epochOrder(TRAIN_IMAGES, SHUFFLE_SEED)),
  };
}

/**
 * Run torch_bench.py with the report going to `reportFile`; resolves to its exit code. When PyTorch is
 * missing, writes a report that skips every selected workload with the reason, and resolves to 0.
 */
export async function runPytorch(options: Pick<BenchOptions, 'quick' | 'only'>, reportFile: string, workDirectory: string): Promise<number> {
  const selected = WORKLOADS.filter((workload) => !options.only || options.only.test(workload.name));
  const found = findPytorch();
  if ('unavailable' in found) {
    const { unavailable } = found;
    process.stderr.write(`[pytorch-cpu] ${unavailable}: skipped\n`);
    const report: ImplementationReport = {
      impl: 'pytorch-cpu', backend: unavailable, records: [],
      skipped: selected.map((workload) => ({ name: workload.name, impl: 'pytorch-cpu', reason: workload.skip?.['pytorch-cpu'] ?? unavailable })),
    };
    await writeFileAtomically(reportFile, new TextEncoder().encode(JSON.stringify(report)));
    return 0;
  }
  const inputsFile = join(workDirectory, `dendrite-bench-${process.pid}-pytorch-inputs.json`);
  await writeFileAtomically(inputsFile, new TextEncoder().encode(JSON.stringify(await pytorchInputs(options, join(dataRoot(), 'fashion-mnist')))));
  try {
    return await new Promise<number>((resolve, reject) => {
      const child = spawn(found.python, [SCRIPT, inputsFile], {
        stdio: ['ignore', 'inherit', 'inherit'],
        env: pytorchEnvironment(process.env, reportFile),
      });
      child.on('error', reject);
      child.on('exit', (code, signal) => resolve(code ?? (signal ? 128 : 1)));
    });
  } finally {
    rmSync(inputsFile, { force: true });
  }
}
