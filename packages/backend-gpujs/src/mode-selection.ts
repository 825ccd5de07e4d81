import { DendriteError } from '@dendrite/core';
import type { GpuJsMode, GpuJsModule } from './gpujs-types.js';
import { installNodeWebGpu } from './node-webgpu.js';

/** What `createGpuBackend` may be asked for; 'auto' picks the fastest mode that works. */
export type GpuBackendMode = 'auto' | GpuJsMode;

/** The chosen gpu.js mode and, for each faster mode skipped, why. */
export interface ModeChoice {
  mode: GpuJsMode;
  notes: string[];
}

function isNode(): boolean {
  const processLike = (globalThis as { process?: { versions?: { node?: string } } }).process;
  return typeof (globalThis as { document?: unknown }).document === 'undefined' && Boolean(processLike?.versions?.node);
}

/** Whether a WebGPU adapter answers (installing Dawn's navigator.gpu first in Node). */
async function probeWebGpu(gpujs: GpuJsModule): Promise<string | null> {
  if (isNode()) {
    const result = await installNodeWebGpu();
    if (!result.installed) return result.reason;
  }
  if (!gpujs.GPU.isWebGPUSupported) return 'navigator.gpu is missing';
  try {
    if (!(await gpujs.GPU.isWebGPUAvailable())) return 'navigator.gpu gave no adapter';
  } catch (error) {
    return `requesting a WebGPU adapter failed (${error instanceof Error ? error.message : String(error)})`;
  }
  return null;
}

/** Why `mode` cannot run here, or null when it can. */
async function unavailability(mode: GpuJsMode, gpujs: GpuJsModule): Promise<string | null> {
  const { GPU } = gpujs;
  switch (mode) {
    case 'webgpu':
      return probeWebGpu(gpujs);
    case 'webgl2':
      return GPU.isWebGL2Supported ? null : 'no WebGL2 context (not a browser, or WebGL2 disabled)';
    case 'webgl':
      return GPU.isWebGLSupported ? null : 'no WebGL context (not a browser, or WebGL disabled)';
    case 'headlessgl':
      if (!isNode()) return 'headless-gl is for Node';
      return GPU.isHeadlessGLSupported ? null : "the optional 'gl' package is not installed or could not create a context";
    case 'webasm':
      return GPU.isWebAssemblySupported ? null : 'WebAssembly is not available';
    case 'cpu':
      return null;
  }
}

/**
 * Pick the gpu.js mode. Node: WebGPU (Dawn) → headless-gl → webasm → cpu. Browser: WebGPU →
 * WebGL2 → WebGL → webasm → cpu. An explicit mode that cannot run is an error naming why.
 */
export async function chooseMode(requested: GpuBackendMode, gpujs: GpuJsModule): Promise<ModeChoice> {
  if (requested !== 'auto') {
    const reason = await unavailability(requested, gpujs);
    if (reason !== null) throw new DendriteError(`gpu backend: mode '${requested}' is not available here: ${reason}`);
    return { mode: requested, notes: [] };
  }
  const order: GpuJsMode[] = isNode()
    ? ['webgpu', 'headlessgl', 'webasm', 'cpu']
    : ['webgpu', 'webgl2', 'webgl', 'webasm', 'cpu'];
  const notes: string[] = [];
  for (const mode of order) {
    const reason = await unavailability(mode, gpujs);
    if (reason === null) return { mode, notes };
    notes.push(`${mode} not used: ${reason}`);
  }
  return { mode: 'cpu', notes };
}
