import * as gpujsNamespace from 'gpu.js';
import { DendriteError, sizeOf } from '@dendrite/core';
import type { Backend, BackendInfo, DataId, DType, TypedArray } from '@dendrite/core/backend';
import { DeviceBuffer, asDeviceBuffer, fromFloat32, toFloat32 } from './device-buffer.js';
import type { GpuJsInstance, GpuJsMode, GpuJsModule } from './gpujs-types.js';
import { KernelRunner, type RunnerStats } from './kernel-runner.js';
import { createKernels } from './kernels.js';
import { MAX_ELEMENTS } from './kernels/source.js';
import { chooseMode, type GpuBackendMode, type ModeChoice } from './mode-selection.js';

/** Options of {@link createGpuBackend}. */
export interface GpuBackendOptions {
  /**
   * Which gpu.js mode runs the kernels. 'auto' (default) tries, in Node, WebGPU through the
   * optional `webgpu` package, then headless-gl through the optional `gl` package, then gpu.js's
   * WebAssembly mode; in a browser WebGPU, then WebGL2, then WebGL. An explicit mode that cannot
   * run here rejects with the reason.
   */
  mode?: GpuBackendMode;
  /**
   * Compute big matmuls and convolutions in strips of four outputs per thread on WebGL2/WebGL/WebGPU
   * (default true; see kernels/matmul-strips.ts). false keeps one output per thread, e.g. to compare.
   */
  strips?: boolean;
}

/** The gpu.js backend: a core `Backend` (from `@dendrite/core/backend`) plus counters and teardown. */
export interface GpuBackend extends Backend {
  /** Readbacks, kernel runs, compiles and live buffers so far (see {@link RunnerStats}). */
  stats(): RunnerStats;
  /** Settles when every queued kernel has been submitted (WebGPU queues; other modes run eagerly). */
  flush(): Promise<void>;
  /** Free the compiled kernels and the gpu.js context. The backend is unusable afterwards. */
  destroy(): Promise<void>;
}

interface WebGpuContextModule {
  WebGPUContext?: { acquire(): Promise<{ device: { lost: Promise<{ message: string; reason?: string }> } }> };
}

const gpujs = gpujsNamespace as unknown as GpuJsModule & WebGpuContextModule;

/**
 * Create the gpu.js backend ('gpu'). Tensors stay on the device (WebGL textures, WebGPU buffers)
 * between kernels; only `read` downloads. Both dtypes are stored as float32 (gpu.js kernels
 * produce floats), so int32 values are exact up to ±2^24, and tensors hold at most 2^24 elements.
 *
 * @example
 * ```ts
 * import { createGpuBackend } from '@dendrite/backend-gpujs';
 *
 * const gpu = await createGpuBackend();           // or { mode: 'webasm' }
 * const a = gpu.upload(new Float32Array([1, 2, 3, 4]), [2, 2], 'float32');
 * const b = gpu.upload(new Float32Array([5, 6, 7, 8]), [2, 2], 'float32');
 * const info = (dataId: object) => ({ dataId, shape: [2, 2], dtype: 'float32' as const });
 * const product = gpu.matmul(info(a), info(b), false, false, [2, 2]);
 * console.log(await gpu.read(product, 'float32')); // Float32Array [19, 22, 43, 50]
 * console.log(gpu.info().implementation, gpu.stats().readbacks);
 * ```
 */
export async function createGpuBackend(options: GpuBackendOptions = {}): Promise<GpuBackend> {
  return openGpuBackend(await chooseMode(options.mode ?? 'auto', gpujs), options);
}

/**
 * The gpu.js mode `createGpuBackend()` would pick here, and why each faster one was skipped,
 * without creating a backend (probing WebGPU may install Node's `navigator.gpu` from Dawn).
 */
export function detectGpuMode(): Promise<ModeChoice> {
  return chooseMode('auto', gpujs);
}

/** The backend on a mode already chosen (and probed) by {@link chooseMode}. */
export async function openGpuBackend(choice: ModeChoice, options: Omit<GpuBackendOptions, 'mode'> = {}): Promise<GpuBackend> {
  const { mode } = choice;
  const notes = [...choice.notes];
  const gpu = new gpujs.GPU({ mode });
  const isGl = mode === 'webgl2' || mode === 'webgl' || mode === 'headlessgl';
  let precision: 'single' | 'unsigned' = 'single';
  if (isGl && !gpujs.GPU.isSinglePrecisionSupported) {
    precision = 'unsigned';
    notes.push('float textures unavailable: values travel packed in RGBA8 texels (gpu.js "unsigned" precision)');
  }
  const maxTextureSize = isGl ? (gpu.Kernel.features?.maxTextureSize ?? null) : null;
  const runner = new KernelRunner(gpu, mode, precision, maxTextureSize, options.strips ?? true);
  if (mode === 'webgpu') watchWebGpuLoss(gpujs, runner);
  return assembleBackend(gpu, runner, { mode, notes, precision, maxTextureSize });
}

function watchWebGpuLoss(gpujs: WebGpuContextModule, runner: KernelRunner): void {
  gpujs.WebGPUContext?.acquire().then(
    ({ device }) => device.lost.then((info) => {
      if (info.reason !== 'destroyed') runner.lostReason = `the WebGPU device was lost (${info.message})`;
    }),
    () => undefined,
  );
}

interface BackendFacts {
  mode: GpuJsMode;
  notes: string[];
  precision: 'single' | 'unsigned';
  maxTextureSize: number | null;
}

function assembleBackend(gpu: GpuJsInstance, runner: KernelRunner, facts: BackendFacts): GpuBackend {
  const mode = facts.mode;
  const backend: GpuBackend = {
    name: 'gpu',
    ...createKernels(runner),
    upload(values: TypedArray, shape: readonly number[], dtype: DType): DataId {
      const size = sizeOf(shape);
      if (values.length !== size) {
        throw new DendriteError(`gpu backend: upload of shape [${shape.join(', ')}] needs ${size} values, got ${values.length}`);
      }
      const uploaded = runner.upload(toFloat32(values, dtype), dtype);
      // int32 uploads keep their host values: scatterAdd builds index lists from them without a readback.
      if (dtype === 'int32') uploaded.hostValues = values instanceof Int32Array ? values : Int32Array.from(values);
      return uploaded;
    },
    async read(dataId: DataId, dtype: DType): Promise<TypedArray> {
      const source = asDeviceBuffer(dataId, 'read');
      return fromFloat32(await runner.download(source), dtype);
    },
    ...(mode === 'webgpu' ? {} : {
      /** Synchronous read (GL, webasm, cpu); counted as a readback like `read`. */
      readSync(dataId: DataId, dtype: DType): TypedArray {
        return fromFloat32(runner.downloadSync(asDeviceBuffer(dataId, 'readSync')), dtype);
      },
    }),
    dispose(dataId: DataId): void {
      if (dataId instanceof DeviceBuffer) runner.free(dataId);
    },
    memory() {
      const { liveBuffers, liveBytes } = runner.stats();
      return { buffers: liveBuffers, bytes: liveBytes };
    },
    info(): BackendInfo {
      const stats = runner.stats();
      return {
        name: 'gpu',
        implementation: facts.mode,
        notes: [...facts.notes],
        precision: facts.precision,
        maxTextureSize: facts.maxTextureSize,
        maxElements: MAX_ELEMENTS,
        // How big matmuls and convolutions run: four outputs per thread as RGBA texels (GL) or viewed
        // floats (WebGPU), or one output per thread ('off').
        strips: runner.vectorOutputs ?? 'off',
        readbacks: stats.readbacks,
        compiledKernels: stats.compiles,
      };
    },
    stats: () => runner.stats(),
    flush: () => runner.flush(),
    async destroy() {
      await runner.flush();
      runner.cache.clear();
      runner.lostReason = 'the backend was destroyed';
      await gpu.destroy();
    },
  };
  return backend;
}
