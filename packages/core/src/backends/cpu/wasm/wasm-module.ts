import type { WasmInstructionSet } from './instruction-set.js';

/**
 * The base64 kernel builds of one instruction set (shared and unshared memory), imported on first
 * use: each dynamic import lets bundlers put its builds (~81 KiB, dist/kernels-wasm-*.js) in their
 * own chunk, so importing `createWasmAccelerator` alone carries neither and a host fetches only the
 * set it runs.
 */
interface KernelBuilds {
  sharedMemoryWasmBase64: string;
  singleMemoryWasmBase64: string;
}

function kernelBuilds(instructionSet: WasmInstructionSet): Promise<KernelBuilds> {
  return instructionSet === 'relaxed-simd' ? import('../../../../generated/kernels-wasm-relaxed.js') : import('../../../../generated/kernels-wasm.js');
}

/** The kernel module and the memory it was instantiated over on the calling thread. */
export interface LoadedKernels {
  module: WebAssembly.Module;
  memory: WebAssembly.Memory;
  instance: WebAssembly.Instance;
  /** Whether the memory is a shared one (workers possible, views survive growth). */
  shared: boolean;
  /** Why the shared-memory build could not be used, when it was wanted and failed. */
  sharedFailure?: string;
}

/** Largest memory the modules declare: 65536 pages = 4 GiB, the wasm32 limit. */
const MAXIMUM_PAGES = 65536;
/** Smaller maxima to try where the host cannot reserve 4 GiB of address space for a shared memory. */
const FALLBACK_MAXIMUM_PAGES = [32768, 16384, 4096];

function decodeBase64(text: string): Uint8Array<ArrayBuffer> {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

function kernelImports(memory: WebAssembly.Memory): WebAssembly.Imports {
  return {
    env: {
      memory,
      abort: () => {
        throw new Error('wasm kernel aborted');
      },
    },
  };
}

function createSharedMemory(initialPages: number): WebAssembly.Memory {
  let lastError: unknown;
  for (const maximum of [MAXIMUM_PAGES, ...FALLBACK_MAXIMUM_PAGES]) {
    if (maximum < initialPages) break;
    try {
      return new WebAssembly.Memory({ initial: initialPages, maximum, shared: true });
    } catch (error) {
      lastError = error;
    }
  }
  throw lastError;
}

/**
 * Compiles and instantiates the SIMD kernels of `instructionSet` with `initialPages` of memory: the
 * shared-memory build when `preferShared`, else (or when that fails) the plain one. Throws a clear
 * error when the host lacks WebAssembly SIMD.
 */
export async function loadKernels(initialPages: number, preferShared: boolean, instructionSet: WasmInstructionSet = 'simd128'): Promise<LoadedKernels> {
  if (typeof WebAssembly !== 'object') {
    throw new Error('wasm accelerator: this JavaScript host has no WebAssembly');
  }
  const { sharedMemoryWasmBase64, singleMemoryWasmBase64 } = await kernelBuilds(instructionSet);
  let sharedFailure: unknown = null;
  if (preferShared) {
    try {
      const module = await WebAssembly.compile(decodeBase64(sharedMemoryWasmBase64));
      const memory = createSharedMemory(initialPages);
      const instance = await WebAssembly.instantiate(module, kernelImports(memory));
      return { module, memory, instance, shared: true };
    } catch (error) {
      sharedFailure = error;
    }
  }
  let module: WebAssembly.Module;
  try {
    module = await WebAssembly.compile(decodeBase64(singleMemoryWasmBase64));
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    const what = instructionSet === 'relaxed-simd' ? 'WebAssembly relaxed SIMD' : 'WebAssembly SIMD';
    throw new Error(`wasm accelerator: ${what} is not supported by this host (${reason})`, { cause: error });
  }
  const memory = new WebAssembly.Memory({ initial: initialPages });
  const instance = await WebAssembly.instantiate(module, kernelImports(memory));
  if (sharedFailure === null) return { module, memory, instance, shared: false };
  const reason = sharedFailure instanceof Error ? sharedFailure.message : String(sharedFailure);
  return { module, memory, instance, shared: false, sharedFailure: reason };
}
