import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCpuBackend, engine } from '../src/backend/index.js';
import { chromiumAvailable, hostPage, type PageHost } from './harness.js';
import type { PageReport } from './page.js';
import { MATMUL_SIZE, runWorkload, type WorkloadResult } from './workload.js';

const available = chromiumAvailable('the WebAssembly backend checks in Chromium');

/** Relative tolerance against the TypeScript reference. */
const RELATIVE_TOLERANCE = 1e-4;

/**
 * The largest error of `actual` against `expected`, relative to each expected value but never to
 * less than the array's root mean square (so values that cancel to near zero are judged on the
 * array's scale, where summation order alone moves them).
 */
function worstRelativeError(actual: number[], expected: number[]): number {
  expect(actual.length).toBe(expected.length);
  const rms = Math.sqrt(expected.reduce((total, value) => total + value * value, 0) / Math.max(1, expected.length));
  let worst = 0;
  for (let index = 0; index < expected.length; index++) {
    const error = Math.abs(actual[index] - expected[index]) / Math.max(Math.abs(expected[index]), rms, Number.MIN_VALUE);
    if (!(error <= worst)) worst = error; // NaN counts as worst
  }
  return worst;
}

/** Every array of a workload result, by name. */
function arraysOf(result: WorkloadResult): Record<string, number[]> {
  return {
    matmul: result.matmul,
    'conv2d output': result.conv.output,
    'conv2d input gradient': result.conv.inputGradient,
    'conv2d filter gradient': result.conv.filterGradient,
    'mlp losses': result.mlp.losses,
    'mlp hidden weights': result.mlp.hiddenWeights,
    'mlp output weights': result.mlp.outputWeights,
  };
}

/** Worst relative error of every array of `actual` against `reference`. */
function relativeErrors(actual: WorkloadResult, reference: WorkloadResult): (readonly [string, number])[] {
  const expectedArrays = arraysOf(reference);
  return Object.entries(arraysOf(actual)).map(([name, values]) => [name, worstRelativeError(values, expectedArrays[name])] as const);
}

function formatErrors(errors: (readonly [string, number])[]): string {
  return errors.map(([name, error]) => `${name} ${error.toExponential(2)}`).join(', ');
}

function expectMatchesReference(actual: WorkloadResult, reference: WorkloadResult): void {
  const errors = relativeErrors(actual, reference);
  const failing = errors.filter(([, error]) => !(error <= RELATIVE_TOLERANCE));
  expect(failing, `worst relative errors: ${formatErrors(errors)}`).toEqual([]);
  // The training really trained (the same on both sides, checked above).
  expect(actual.mlp.losses[actual.mlp.losses.length - 1]).toBeLessThan(actual.mlp.losses[0]);
}

/** A fallback note of the wasm accelerator: why it runs on one thread or over unshared memory. */
const FALLBACK_NOTE = /one thread|SharedArrayBuffer|unshared|unavailable|TypeScript/i;

/**
 * Bundle @dendrite/core's source into a page, serve it cross-origin isolated and not, and check in
 * headless Chromium that `await ready()` brings up the WebAssembly SIMD kernels — on Web Workers
 * over SharedArrayBuffer when isolated, on one thread with a note saying why when not — and that
 * they compute what the TypeScript reference computes in Node.
 */
describe.skipIf(!available)('WebAssembly SIMD CPU backend in headless Chromium', () => {
  let host: PageHost;
  let reference: WorkloadResult;
  let isolated: PageReport;
  let plain: PageReport;

  async function report(isolatedPage: boolean): Promise<PageReport> {
    const { page, pageErrors } = await host.open(isolatedPage);
    try {
      return await page.evaluate(async () => (window as unknown as { runPage(): Promise<PageReport> }).runPage());
    } finally {
      if (pageErrors.length > 0) console.warn(`page errors: ${pageErrors.join('; ')}`);
      await page.close();
    }
  }

  beforeAll(async () => {
    reference = engine.withBackend(createCpuBackend(), runWorkload);
    host = await hostPage(new URL('./page.ts', import.meta.url));
    isolated = await report(true);
    plain = await report(false);
    const describeRun = (name: string, run: PageReport) =>
      `${name}: ${run.info.implementation}, ${run.info.threads} thread(s) of ${run.hardwareConcurrency} cores, ` +
      `matmul ${MATMUL_SIZE}² ${run.results.matmulMilliseconds.toFixed(2)} ms, 20 MLP steps ${run.results.mlp.milliseconds.toFixed(0)} ms, ` +
      `notes: ${JSON.stringify(run.info.notes ?? [])}; worst relative errors vs Node: ${formatErrors(relativeErrors(run.results, reference))}`;
    console.info([
      describeRun('isolated page', isolated),
      describeRun('plain page', plain),
      `node typescript reference: matmul ${MATMUL_SIZE}² ${reference.matmulMilliseconds.toFixed(2)} ms, 20 MLP steps ${reference.mlp.milliseconds.toFixed(0)} ms, ` +
        `loss ${reference.mlp.losses[0].toFixed(4)} -> ${reference.mlp.losses[reference.mlp.losses.length - 1].toFixed(4)}`,
    ].join('\n'));
  });

  afterAll(async () => {
    await host?.close();
  });

  it('runs on Web Workers over SharedArrayBuffer in a cross-origin isolated page', () => {
    expect(isolated.crossOriginIsolated).toBe(true);
    expect(isolated.sharedArrayBuffer).toBe(true);
    expect(isolated.info.implementation).toBe('wasm-simd');
    const expectedThreads = Math.min(8, isolated.hardwareConcurrency);
    expect(isolated.info.threads).toBe(expectedThreads);
    if (isolated.hardwareConcurrency >= 2) expect(isolated.info.threads).toBeGreaterThanOrEqual(2);
    const notes = isolated.info.notes ?? [];
    expect(notes.filter((note) => FALLBACK_NOTE.test(note))).toEqual([]);
    // The page's main thread may not block in Atomics.wait, so it spins; the backend says so.
    if (isolated.info.threads! > 1) expect(notes.join(' ')).toMatch(/main thread cannot block.*spins/);
  });

  it('falls back to one thread without SharedArrayBuffer in a page that is not isolated, saying why', () => {
    expect(plain.crossOriginIsolated).toBe(false);
    expect(plain.info.implementation).toBe('wasm-simd');
    expect(plain.info.threads).toBe(1);
    expect((plain.info.notes ?? []).join(' ')).toMatch(/no SharedArrayBuffer.*cross-origin isolated.*one thread/);
  });

  it('computes what the TypeScript reference computes in Node, threaded (isolated page)', () => {
    expectMatchesReference(isolated.results, reference);
  });

  it('computes what the TypeScript reference computes in Node, single-threaded (plain page)', () => {
    expectMatchesReference(plain.results, reference);
  });
});
