import {
  getBackendInfo, registerBackend, setBackend, type BackendInfo,
} from '@dendrite/core';
import { createGpuBackend, detectGpuMode, openGpuBackend, type GpuBackendOptions } from './gpujs-backend.js';
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
    throw new Error(
      `useGpu: the '${GPU_BACKEND_NAME}' backend already runs in mode '${info.implementation}', not '${requested}'; ` +
      `to switch, await setBackend(await createGpuBackend({ mode: '${requested}' })) before creating tensors`,
    );
  }
  return info;
}

/**
 * Pick the faster backend for this machine and activate it: the gpu backend when a graphics mode
 * answers (WebGPU, WebGL2, WebGL, headless-gl), else core's CPU backend, which outruns gpu.js's
 * CPU-side modes. Either way `getBackendInfo().notes` says why, and the gpu backend stays
 * registered, so `setBackend('gpu')` still forces it in any mode. Returns `getBackendInfo()`.
 *
 * @example
 * ```ts
 * import { useBestBackend } from '@dendrite/backend-gpujs';
 *
 * const info = await useBestBackend();
 * console.log(info.name, info.implementation, info.notes); // 'gpu' 'webgl2' [] — or 'cpu' … ['gpu not used: …']
 * ```
 */
export async function useBestBackend(options: Omit<GpuBackendOptions, 'mode'> = {}): Promise<BackendInfo> {
  const choice = await detectGpuMode();
  if (GPU_DEVICE_MODES.includes(choice.mode)) {
    registerBackend(GPU_BACKEND_NAME, () => openGpuBackend(choice, options));
    await setBackend(GPU_BACKEND_NAME);
    return getBackendInfo();
  }
  registerGpuBackend(options);
  const skipped = choice.notes.length > 0 ? ` (${choice.notes.join('; ')})` : '';
  const why =
    `gpu not used: no graphics device answered${skipped}, so gpu.js would run in its '${choice.mode}' mode on the CPU, ` +
    `which this CPU backend outruns; setBackend('${GPU_BACKEND_NAME}') forces it`;
  await setBackend('cpu', { notes: [why] });
  return getBackendInfo();
}
