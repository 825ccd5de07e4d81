import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Backend } from '../backend/backend.js';
import { kernelCases, runKernelCase } from './kernel-checks.js';

/** Options of {@link runKernelChecks}. */
export interface KernelCheckOptions {
  /** Name of the describe block. */
  name: string;
  /** Makes the backend under test (awaited once, `init()` called). */
  createBackend: () => Backend | Promise<Backend>;
  /** Called after the checks, e.g. to release a GPU context. */
  destroyBackend?: (backend: Backend) => void | Promise<void>;
}

/**
 * Registers a vitest suite running every kernel check ({@link kernelCases}) on a backend, then checking
 * that the checks freed every buffer. Each kernel is called directly (below the ops), its output compared
 * with a naive reference loop.
 *
 * @example
 * ```ts
 * import { runKernelChecks } from '@dendrite/core/testing';
 * runKernelChecks({ name: 'my backend', createBackend: () => createMyBackend() });
 * ```
 */
export function runKernelChecks(options: KernelCheckOptions): void {
  describe(`${options.name}: kernel checks`, () => {
    let backend: Backend;
    beforeAll(async () => {
      backend = await options.createBackend();
      await backend.init?.();
    });
    afterAll(async () => {
      await options.destroyBackend?.(backend);
    });

    it.each(kernelCases().map((kernelCase) => [kernelCase.name, kernelCase] as const))('%s', async (_name, kernelCase) => {
      expect(await runKernelCase(backend, kernelCase)).toBeNull();
    });

    it('frees every buffer the checks made', () => {
      expect(backend.memory()).toEqual({ buffers: 0, bytes: 0 });
    });
  });
}
