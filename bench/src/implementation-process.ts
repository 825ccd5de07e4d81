// How main.ts starts an implementation's process: the Node flags and environment it needs.
import type { ImplementationName } from './records.js';

export interface ImplementationProcess {
  /** Node/V8 flags before the script (worker threads inherit them). */
  nodeFlags: string[];
  /** Variables added to the inherited environment. */
  environment: Record<string, string>;
}

/**
 * `dendrite-cpu-relaxed` forces the relaxed-SIMD kernels (DENDRITE_WASM_SIMD) and, on Node before
 * 22 where relaxed SIMD is behind a V8 flag, passes --experimental-wasm-relaxed-simd; the others
 * run as a plain `node` would.
 *
 * @example
 * ```ts
 * implementationProcess('dendrite-cpu-relaxed', '20.20.2');
 * // { nodeFlags: ['--experimental-wasm-relaxed-simd'], environment: { DENDRITE_WASM_SIMD: 'relaxed-simd' } }
 * ```
 */
export function implementationProcess(impl: ImplementationName, nodeVersion: string): ImplementationProcess {
  if (impl !== 'dendrite-cpu-relaxed') return { nodeFlags: [], environment: {} };
  const nodeMajor = Number(nodeVersion.split('.')[0]);
  return {
    nodeFlags: nodeMajor < 22 ? ['--experimental-wasm-relaxed-simd'] : [],
    environment: { DENDRITE_WASM_SIMD: 'relaxed-simd' },
  };
}
