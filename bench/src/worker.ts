// One implementation's benchmarks, in a process of its own (started by main.ts), so its threads
// and memory never meet another implementation's. Reports to the file named by BENCH_REPORT_FILE.
import { writeFileAtomically } from '@dendrite/datasets/node';
import { cpuSnapshot, othersBusyShare } from './contention.js';
import { loadFashionMnist, type FashionMnist } from './fashion-mnist.js';
import type { Implementation } from './implementation.js';
import { createDendriteImplementation } from './implementations/dendrite.js';
import { createJaxImplementation } from './implementations/jax.js';
import { createTfjsImplementation } from './implementations/tfjs.js';
import { parseOptions } from './options.js';
import type { ImplementationName, ImplementationReport } from './records.js';
import { formatValue } from './table.js';
import { WORKLOADS } from './workloads.js';

function createImplementation(name: ImplementationName): Promise<Implementation> {
  switch (name) {
    case 'dendrite-cpu': return createDendriteImplementation('dendrite-cpu');
    case 'dendrite-cpu-relaxed': return createDendriteImplementation('dendrite-cpu-relaxed');
    case 'tfjs-cpu': return createTfjsImplementation('cpu');
    case 'tfjs-wasm': return createTfjsImplementation('wasm');
    case 'jax-js': return createJaxImplementation();
    case 'pytorch-cpu': throw new Error('pytorch-cpu runs in Python (torch_bench.py), started by main.ts, not in worker.ts');
  }
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2), process.env);
  const reportFile = process.env.BENCH_REPORT_FILE;
  if (options.implementations.length !== 1 || !reportFile) {
    throw new Error('worker.ts runs one implementation: --impl <name>, with BENCH_REPORT_FILE set (use main.ts)');
  }
  const impl = options.implementations[0];
  const log = (message: string) => process.stderr.write(`[${impl}] ${message}\n`);
  const report: ImplementationReport = { impl, backend: 'not started', records: [], skipped: [] };
  const save = () => writeFileAtomically(reportFile, new TextEncoder().encode(JSON.stringify(report)));
  const errors: string[] = [];
  await save();

  const implementation = await createImplementation(impl);
  report.backend = implementation.describe();
  log(report.backend);
  let dataset: Promise<FashionMnist> | null = null;
  const context = {
    quick: options.quick,
    log,
    data: () => (dataset ??= loadFashionMnist()),
  };

  const startCpu = cpuSnapshot();
  for (const workload of WORKLOADS) {
    if (options.only && !options.only.test(workload.name)) continue;
    const skipReason = workload.skip?.[impl];
    if (skipReason) {
      report.skipped.push({ name: workload.name, impl, reason: skipReason });
      log(`${workload.name}: skipped (${skipReason})`);
    } else {
      log(`${workload.name}: running`);
      try {
        const outcome = await workload.run(implementation, context);
        if ('reason' in outcome) {
          report.skipped.push(outcome);
          log(`${workload.name}: not supported (${outcome.reason})`);
        } else {
          report.records.push(outcome);
          log(`${workload.name}: ${formatValue(outcome.value)} ${outcome.unit}${outcome.details?.extrapolated ? ' (extrapolated)' : ''}`);
        }
      } catch (error) {
        errors.push(`${workload.name}: ${errorText(error)}`);
        log(`${workload.name}: FAILED ${error instanceof Error ? error.stack : String(error)}`);
      }
    }
    if (errors.length > 0) report.error = errors.join('; ');
    report.othersBusy = othersBusyShare(startCpu, cpuSnapshot());
    await save();
  }
  log(`other processes used ${Math.round((report.othersBusy ?? 0) * 100)}% of the cores meanwhile`);
}

main().then(
  // Worker threads of the accelerators would keep the process alive; the report is on disk.
  () => process.exit(0),
  (error) => {
    process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
    process.exit(1);
  },
);
