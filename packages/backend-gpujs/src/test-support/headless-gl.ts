/**
 * Whether gpu.js's 'headlessgl' mode can run in this Node process: the optional `gl` package must
 * be built (`pnpm setup:headless-gl`) and, on Linux, reach an X server (the tests' global setup
 * starts Xvfb when one is installed and DISPLAY is unset). CI sets DENDRITE_REQUIRE_HEADLESS_GL=1,
 * which turns "unavailable" into a failing test instead of a skipped one.
 */
import { createRequire } from 'node:module';
import type { GpuJsMode } from '../gpujs-types.js';

type CreateContext = (width: number, height: number) => { getExtension(name: string): { destroy(): void } | null } | null;

function unavailability(): string | null {
  let createContext: CreateContext;
  try {
    createContext = createRequire(import.meta.url)('gl') as CreateContext;
  } catch (error) {
    const firstLine = (error instanceof Error ? error.message : String(error)).split('\n')[0];
    return `the optional 'gl' package does not load (build it with \`pnpm setup:headless-gl\`): ${firstLine}`;
  }
  const context = createContext(1, 1);
  if (context === null) {
    return `'gl' could not create a context (DISPLAY=${process.env.DISPLAY ?? 'unset'}; on Linux it needs an X server such as Xvfb)`;
  }
  context.getExtension('STACKGL_destroy_context')?.destroy();
  return null;
}

/** Why headless-gl cannot run here, or null when it can. */
export const headlessGlUnavailable: string | null = unavailability();

/** Whether a missing headless-gl must fail the tests (CI) rather than skip them. */
export const headlessGlRequired = process.env.DENDRITE_REQUIRE_HEADLESS_GL === '1';

/** gpu.js modes the Node tests run the kernels in: the host modes, plus headless-gl where it runs. */
export const nodeTestModes: GpuJsMode[] = ['webasm', 'cpu', ...(headlessGlUnavailable === null ? ['headlessgl' as const] : [])];
