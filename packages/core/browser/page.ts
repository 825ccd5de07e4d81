/**
 * The browser side of the WebAssembly backend test: load the default CPU backend's wasm kernels
 * with `await ready()`, report what it chose, and run the shared workload. Bundled by esbuild and
 * driven by wasm-backend.browser.test.ts.
 */
import { getBackendInfo, ready, type BackendInfo } from '../src/index.js';
import { runWorkload, type WorkloadResult } from './workload.js';

/** What the page hands back to the test. */
export interface PageReport {
  crossOriginIsolated: boolean;
  sharedArrayBuffer: boolean;
  hardwareConcurrency: number;
  info: BackendInfo;
  results: WorkloadResult;
}

async function runPage(): Promise<PageReport> {
  await ready();
  return {
    crossOriginIsolated: globalThis.crossOriginIsolated === true,
    sharedArrayBuffer: typeof SharedArrayBuffer !== 'undefined',
    hardwareConcurrency: navigator.hardwareConcurrency,
    info: getBackendInfo(),
    results: runWorkload(),
  };
}

(window as unknown as { runPage: typeof runPage }).runPage = runPage;
