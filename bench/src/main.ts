// `pnpm bench`: runs each implementation's benchmarks in its own child process, one after
// another (never two at once, so no two thread pools share the cores), then prints the
// comparison table and writes results/.
import { spawn } from 'node:child_process';
import { cpus, tmpdir } from 'node:os';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeFileAtomically } from '@dendrite/datasets/node';
import { implementationProcess } from './implementation-process.js';
import { runPytorch } from './implementations/pytorch.js';
import { parseOptions, UsageError, type BenchOptions } from './options.js';
import { IMPLEMENTATIONS, type BenchResults, type ImplementationName, type ImplementationReport } from './records.js';
import { renderRepeats, repeatsPassed, summarizeRepeats, type RepeatRun } from './repeats.js';
import { buildComparisonTable, renderMarkdown, renderText } from './table.js';

const packageDirectory = fileURLToPath(new URL('..', import.meta.url));
const workerPath = fileURLToPath(new URL('./worker.ts', import.meta.url));
const resultsDirectory = join(packageDirectory, 'results');

/** Start src/worker.ts for a Node implementation; resolves to its exit code. */
function runNodeWorker(impl: ImplementationName, options: BenchOptions, reportFile: string): Promise<number> {
  const setup = implementationProcess(impl, process.versions.node);
  const args = [...setup.nodeFlags, '--import', 'tsx', workerPath, '--impl', impl];
  if (options.quick) args.push('--quick');
  if (options.only) args.push('--only', options.only.source);
  return new Promise<number>((resolve, reject) => {
    const child = spawn(process.execPath, args, {
      cwd: packageDirectory,
      stdio: ['ignore', 'inherit', 'inherit'],
      env: { ...process.env, ...setup.environment, BENCH_REPORT_FILE: reportFile },
    });
    child.on('error', reject);
    child.on('exit', (code, signal) => resolve(code ?? (signal ? 128 : 1)));
  });
}

/** Run one implementation's worker and read what it reported (also after a crash part-way). */
async function runImplementation(impl: ImplementationName, options: BenchOptions): Promise<ImplementationReport> {
  const reportFile = join(tmpdir(), `dendrite-bench-${process.pid}-${impl}.json`);
  const exitCode = impl === 'pytorch-cpu' ? await runPytorch(options, reportFile, tmpdir()) : await runNodeWorker(impl, options, reportFile);
  const report: ImplementationReport = existsSync(reportFile)
    ? JSON.parse(readFileSync(reportFile, 'utf8'))
    : { impl, backend: 'did not start', records: [], skipped: [] };
  rmSync(reportFile, { force: true });
  if (exitCode !== 0) report.error = [report.error, `process exited with code ${exitCode} (see its output above)`].filter(Boolean).join('; ');
  return report;
}

function localDate(date: Date): string {
  const pad = (value: number) => String(value).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
}

async function main(): Promise<number> {
  const options = parseOptions(process.argv.slice(2), process.env);
  const date = localDate(new Date());
  const results: BenchResults = {
    date,
    quick: options.quick,
    only: options.only?.source ?? null,
    machine: { cpus: cpus().length, cpuModel: cpus()[0]?.model.trim() ?? 'unknown CPU', node: process.versions.node, platform: `${process.platform}-${process.arch}`, othersBusy: {} },
    backends: {},
    records: [],
    skipped: [],
    errors: {},
  };
  const repeatFailures: string[] = [];
  // Repeated runs go round by round (every implementation once, then again), so a drift in the
  // machine's speed during the session hits every implementation alike and the ratios stay fair.
  const runsByImpl = new Map<ImplementationName, RepeatRun[]>(options.implementations.map((impl) => [impl, []]));
  for (let run = 1; run <= options.repeat; run++) {
    for (const impl of options.implementations) {
      process.stderr.write(`\n=== ${impl}${options.repeat > 1 ? ` (run ${run} of ${options.repeat})` : ''} ===\n`);
      const report = await runImplementation(impl, options);
      runsByImpl.get(impl)!.push({ records: report.records, error: report.error });
      if (report.error) repeatFailures.push(`${impl} run ${run}: ${report.error}`);
      // The table shows the first run; --repeat adds the summary of all of them below it.
      if (run > 1) continue;
      results.backends[impl] = report.backend;
      results.records.push(...report.records);
      results.skipped.push(...report.skipped);
      if (report.error) results.errors[impl] = report.error;
      if (report.othersBusy !== undefined) results.machine.othersBusy![impl] = report.othersBusy;
    }
  }
  if (options.repeat > 1) {
    for (const [impl, runs] of runsByImpl) (results.repeats ??= []).push(...summarizeRepeats(impl, runs));
  }

  const table = buildComparisonTable(results);
  process.stdout.write(`\n${renderText(table)}\n`);
  if (results.repeats !== undefined) {
    process.stdout.write(`\nEvery run (--repeat ${options.repeat}):\n${renderRepeats(results.repeats, repeatFailures)}\n`);
  }
  const repeatsFailed = results.repeats !== undefined && (!repeatsPassed(results.repeats) || repeatFailures.length > 0);
  // A full run is the one the README quotes; quick, filtered or repeated runs never overwrite it.
  const full = !options.quick && !options.only && options.repeat === 1 && options.implementations.length === IMPLEMENTATIONS.length;
  const json = `${JSON.stringify(results, null, 2)}\n`;
  const written = full
    ? [join(resultsDirectory, 'latest.json'), join(resultsDirectory, `${date}.json`), join(resultsDirectory, 'latest.md')]
    : [join(resultsDirectory, 'latest-partial.json'), join(resultsDirectory, 'latest-partial.md')];
  const markdown = renderMarkdown(table);
  for (const path of written) await writeFileAtomically(path, new TextEncoder().encode(path.endsWith('.md') ? markdown : json));
  process.stdout.write(`\nWrote ${written.map((path) => path.slice(packageDirectory.length)).join(', ')}\n`);
  return Object.keys(results.errors).length > 0 || repeatsFailed ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (error) => {
    process.stderr.write(error instanceof UsageError ? `${error.message}\n` : `${error instanceof Error ? error.stack : String(error)}\n`);
    process.exit(2);
  },
);
