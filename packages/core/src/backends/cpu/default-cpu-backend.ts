import type { BackendInfo } from '../../backend/backend.js';
import { createCpuBackend, type CpuBackend } from './cpu-backend.js';
import type { WasmInstructionSetChoice } from './wasm/instruction-set.js';

/**
 * The CPU backend the engine starts with: the TypeScript kernels at once, and the WebAssembly SIMD
 * accelerator (on worker threads) attached by `init()` — which `await ready()` or
 * `await setBackend('cpu')` calls. If WebAssembly SIMD cannot load, it stays on TypeScript and
 * `info().notes` says why. `info().instructionSet` says which kernel build runs ('relaxed-simd' where
 * the host validates it, else 'simd128'; `instructionSet` or DENDRITE_WASM_SIMD forces one).
 */
export function createDefaultCpuBackend(options: { threads?: number; instructionSet?: WasmInstructionSetChoice } = {}): CpuBackend {
  const backend = createCpuBackend();
  let initialising: Promise<void> | null = null;
  let failure: string | null = null;
  const baseInfo = backend.info.bind(backend);
  return Object.assign(backend, {
    init(): Promise<void> {
      // A dynamic import, so bundlers split the WebAssembly host code and its base64 kernels into a chunk
      // fetched only when init() runs: an app that never calls ready() does not carry them.
      initialising ??= import('./wasm/index.js').then(({ createWasmAccelerator }) => createWasmAccelerator({ threads: options.threads, instructionSet: options.instructionSet })).then(
        (accelerator) => backend.setAccelerator(accelerator),
        (error: unknown) => {
          failure = `WebAssembly SIMD kernels unavailable (${error instanceof Error ? error.message : String(error)}): plain TypeScript kernels`;
        },
      );
      return initialising;
    },
    info(): BackendInfo {
      const info = baseInfo();
      if (failure) info.notes = [failure, ...(info.notes ?? [])];
      else if (!initialising) info.notes = ['WebAssembly SIMD kernels not loaded yet: call await ready()', ...(info.notes ?? [])];
      return info;
    },
  });
}
