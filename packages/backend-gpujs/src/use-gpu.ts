import { DendriteError, getBackendInfo, registerBackend, setBackend } from '@dendrite/core';
import type { BackendInfo } from '@dendrite/core/backend';
import { PROBE_SIZE, softwareDevice, timeMatmul } from './device-check.js';
import { createGpuBackend, detectGpuMode, openGpuBackend, type GpuBackend, type GpuBackendOptions } from './gpujs-backend.js';
import type { ModeChoice } from './mode-selection.js';
import type { GpuJsMode } from './gpujs-types.js';

/** The name this backend registers under in core's engine. */
export const GPU_BACKEND_NAME = 'gpu';

/**
 * gpu.js modes that run on a graphics device. The others (`webasm`, `cpu`) run gpu.js kernels on
 * the CPU, where core's own CPU backend is faster, so {@link useBestBackend} does not pick them.
 */
export const GPU_DEVICE_MODES: readonly GpuJsMode[] = ['webgpu', 'webgl2', 'webgl', 'headlessgl'];

/**
 * Register the gpu backend with core's engine as 'gpu' (created on the first `setBackend('gpu')`),
 * without activating it. `setBackend('gpu')` then runs every op on it, in whatever mode
 * `options.mode` picks ('auto': the fastest that works, down to gpu.js's `webasm` and `cpu`).
 *
 * @example
 * ```ts
 * import { setBackend } from '@dendrite/core';
 * import { registerGpuBackend } from '@dendrite/backend-gpujs';
 *
 * registerGpuBackend();
 * await setBackend('gpu');
 * ```
 */
export function registerGpuBackend(options: GpuBackendOptions = {}): void {
  registerBackend(GPU_BACKEND_NAME, () => createGpuBackend(options));
}

/**
 * Run every following op on the gpu backend (in any mode, `webasm` and `cpu` included): registers
 * it, activates it, and returns `getBackendInfo()`. Call it before creating tensors; tensors made
 * on another backend are moved on their next use, or (WebGPU) must be recreated.
 *
 * @example
 * ```ts
 * import { matmul, tensor } from '@dendrite/core';
 * import { useGpu } from '@dendrite/backend-gpujs';
 *
 * const info = await useGpu(); // or useGpu({ mode: 'webgl2' })
 * const product = matmul(tensor([[1, 2], [3, 4]]), tensor([[5, 6], [7, 8]]));
 * console.log(info.implementation, await product.array()); // 'webgl2' [[19, 22], [43, 50]]
 * ```
 */
export async function useGpu(options: GpuBackendOptions = {}): Promise<BackendInfo> {
  registerGpuBackend(options);
  await setBackend(GPU_BACKEND_NAME);
  const info = getBackendInfo();
  const requested = options.mode ?? 'auto';
  if (requested !== 'auto' && info.implementation !== requested) {
    throw new DendriteError(
      `useGpu: the '${GPU_BACKEND_NAME}' backend already runs in mode '${info.implementation}', not '${requested}'; ` +
      `to switch, await setBackend(await createGpuBackend({ mode: '${requested}' })) before creating tensors`,
    );
  }
  return info;
}

/** Options of {@link useBestBackend}. */
export interface BestBackendOptions extends Omit<GpuBackendOptions, 'mode'> {
  /**
   * Take a graphics mode even when its device is a software rasterizer (SwiftShader, llvmpipe),
   * e.g. to test GPU code paths on a machine without a GPU. Default false: core's CPU backend
   * outruns gpu.js on a software rasterizer, so it is kept.
   */
  allowSoftwareDevice?: boolean;
}

/**
 * Pick the faster backend for this machine and activate it: the gpu backend when a graphics mode
 * answers on a real GPU (WebGPU, WebGL2, WebGL, headless-gl), else core's CPU backend, which
 * outruns gpu.js's CPU-side modes and any software rasterizer. A device that names itself a
 * software renderer (or that the browser flags with a major performance caveat) is passed over;
 * headless-gl hides its renderer, so there a 512² matmul is timed on both backends (tens of
 * milliseconds on a software rasterizer, a few on the CPU backend). Either way `getBackendInfo().notes` says why, and
 * the gpu backend stays registered, so `setBackend('gpu')` still forces it in any mode. Returns
 * `getBackendInfo()`.
 *
 * @example
 * ```ts
 * import { useBestBackend } from '@dendrite/backend-gpujs';
 *
 * const info = await useBestBackend();
 * console.log(info.name, info.implementation, info.notes); // 'gpu' 'webgl2' [] — or 'cpu' … ['gpu not used: …']
 * ```
 */
export async function useBestBackend(options: BestBackendOptions = {}): Promise<BackendInfo> {
  const { allowSoftwareDevice = false, ...backendOptions } = options;
  const choice = await detectGpuMode();
  let why: string;
  if (GPU_DEVICE_MODES.includes(choice.mode)) {
    const verdict = allowSoftwareDevice ? { slower: null } : await softwareVerdict(choice, backendOptions);
    if (verdict.slower === null) {
      const opened = verdict.backend;
      registerBackend(GPU_BACKEND_NAME, () => opened ?? openGpuBackend(choice, backendOptions));
      await setBackend(GPU_BACKEND_NAME);
      return getBackendInfo();
    }
    why = `gpu not used: ${verdict.slower}, which this CPU backend outruns; setBackend('${GPU_BACKEND_NAME}') forces it`;
  } else {
    const skipped = choice.notes.length > 0 ? ` (${choice.notes.join('; ')})` : '';
    why =
      `gpu not used: no graphics device answered${skipped}, so gpu.js would run in its '${choice.mode}' mode on the CPU, ` +
      `which this CPU backend outruns; setBackend('${GPU_BACKEND_NAME}') forces it`;
  }
  registerGpuBackend(backendOptions);
  await setBackend('cpu', { notes: [why] });
  return getBackendInfo();
}

/**
 * Whether the chosen graphics mode runs on a software rasterizer (`slower` says so), judged by
 * the names the API reports, or for headless-gl by timing the same matmul on both backends. The
 * backend opened for timing comes back when the GPU wins, so it is not opened twice.
 */
async function softwareVerdict(
  choice: ModeChoice, options: Omit<GpuBackendOptions, 'mode'>,
): Promise<{ slower: string | null; backend?: GpuBackend }> {
  const named = await softwareDevice(choice.mode);
  if (named !== null) return { slower: named };
  if (choice.mode !== 'headlessgl') return { slower: null };
  const gpu = await openGpuBackend(choice, options);
  const cpu = await setBackend('cpu');
  const [gpuMs, cpuMs] = [await timeMatmul(gpu), await timeMatmul(cpu)];
  if (gpuMs <= cpuMs) return { slower: null, backend: gpu };
  await gpu.destroy();
  return {
    slower: `headless-gl ran a ${PROBE_SIZE}² matmul in ${gpuMs.toFixed(1)} ms against ${cpuMs.toFixed(1)} ms on the CPU backend ` +
      '(a software rasterizer, such as Mesa\'s llvmpipe under Xvfb)',
  };
}
