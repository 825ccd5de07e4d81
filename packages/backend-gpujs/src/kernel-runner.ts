import { DendriteError } from '@dendrite/core';
import type { DType } from '@dendrite/core/backend';
import { DeviceBuffer } from './device-buffer.js';
import type { GpuJsHandle, GpuJsInstance, GpuJsMode, KernelResult } from './gpujs-types.js';
import { KernelCache, type KernelProgram } from './kernel-cache.js';
import { MAX_ELEMENTS } from './kernels/source.js';

/** What the runner has done, for `stats()`: proves residency, caching and lifetimes. */
export interface RunnerStats {
  /** Downloads from the device (only `read` downloads). */
  readbacks: number;
  /** Kernel launches, uploads included. */
  kernelRuns: number;
  /** Distinct kernels compiled. */
  compiles: number;
  /** Kernel launches that found their kernel compiled already. */
  cacheHits: number;
  /** Buffers alive now and their bytes. */
  liveBuffers: number;
  liveBytes: number;
}

/** A minimal view of a WebGL context, to notice context loss. */
interface LossAwareContext {
  isContextLost?(): boolean;
}

/**
 * Runs gpu.js kernels and owns the buffers they produce.
 *
 * GL, cpu and webasm kernels run synchronously. gpu.js's webgpu kernels return Promises (their
 * first call compiles asynchronously), so on WebGPU every launch, download and free is chained on
 * one queue: later work sees earlier results, and a free never overtakes a launch that reads it.
 */
export class KernelRunner {
  readonly cache: KernelCache;
  private readonly asynchronous: boolean;
  private queue: Promise<unknown> = Promise.resolve();
  private readbacks = 0;
  private kernelRuns = 0;
  private liveBuffers = 0;
  private liveBytes = 0;
  /** Set when the device is gone; every later call throws it. */
  lostReason: string | null = null;

  constructor(
    private readonly gpu: GpuJsInstance,
    readonly mode: GpuJsMode,
    private readonly precision: 'single' | 'unsigned',
    private readonly maxTextureSize: number | null,
    private readonly stripsAllowed = true,
  ) {
    this.cache = new KernelCache(gpu, precision);
    this.asynchronous = mode === 'webgpu';
  }

  /** Host arrays are the storage on cpu/webasm, so uploads need no kernel there. */
  get hostResident(): boolean {
    return this.mode === 'cpu' || this.mode === 'webasm';
  }

  /**
   * How vector-output (four floats per thread) kernels run here: 'packed' on WebGL2/WebGL/headless-gl
   * with float textures (results stay RGBA texels), 'flat' on WebGPU (results viewed as plain
   * floats), null on webasm/cpu (host memory: they gain nothing).
   */
  get vectorOutputs(): 'packed' | 'flat' | null {
    if (!this.stripsAllowed) return null;
    if (this.mode === 'webgpu') return 'flat';
    if ((this.mode === 'webgl2' || this.mode === 'webgl' || this.mode === 'headlessgl') && this.precision === 'single') return 'packed';
    return null;
  }

  /** A new buffer holding `values` (already float32). */
  upload(values: Float32Array, dtype: DType): DeviceBuffer {
    this.checkDevice('upload');
    this.checkSize(values.length, 'upload');
    if (values.length === 0 || this.hostResident) return this.track(new DeviceBuffer(values.length, dtype, values.length === 0 ? null : values));
    return this.launch(uploadProgram, [], [values], values.length, dtype);
  }

  /** Run `program` over `inputs` (and scalar uniforms) into a new buffer of `outSize` elements. */
  run(program: KernelProgram, inputs: readonly DeviceBuffer[], outSize: number, dtype: DType, scalars: readonly number[] = []): DeviceBuffer {
    this.checkDevice(program.key);
    this.checkSize(outSize, program.key);
    if (outSize === 0) return this.track(new DeviceBuffer(0, dtype, null));
    for (const input of inputs) {
      if (input.size === 0) throw new DendriteError(`gpu backend: ${program.key} got an empty input for a non-empty output`);
    }
    return this.launch(program, inputs, scalars, outSize, dtype);
  }

  private launch(
    program: KernelProgram, inputs: readonly DeviceBuffer[], extra: readonly unknown[], outSize: number, dtype: DType,
  ): DeviceBuffer {
    const grid = this.hostResident && program.grid !== undefined && program.grid.rows > 1;
    const kernel = this.cache.get(program, outSize, grid);
    this.kernelRuns++;
    if (grid) {
      const rows = kernel(...inputs.map((input) => input.storage), ...extra) as Float32Array[];
      return this.track(new DeviceBuffer(outSize, dtype, joinRows(rows, outSize)));
    }
    if (!this.asynchronous) {
      const result = kernel(...inputs.map((input) => input.storage), ...extra) as KernelResult;
      const buffer = this.track(new DeviceBuffer(outSize, dtype, result));
      buffer.packed = program.vectorOutput === true;
      return buffer;
    }
    const output = this.track(new DeviceBuffer(outSize, dtype, null));
    const step = this.queue.then(async () => {
      for (const input of inputs) if (input.failure) throw input.failure;
      const result = (await kernel(...inputs.map((input) => input.storage), ...extra)) as GpuJsHandle;
      // Set even when already disposed: the free queued behind this step deletes it.
      output.storage = program.vectorOutput ? flatView(result, outSize) : result;
    }).catch((error: unknown) => {
      const reason = error instanceof Error ? error.message : String(error);
      output.failure = Object.assign(new DendriteError(`gpu backend (webgpu): ${program.key} failed: ${reason}`), { cause: error });
    });
    output.ready = step;
    this.queue = step;
    return output;
  }

  /** Download a buffer's values (the only place data leaves the device). */
  async download(buffer: DeviceBuffer): Promise<Float32Array> {
    this.checkDevice('read');
    checkUnpacked(buffer);
    if (buffer.size === 0) return new Float32Array(0);
    if (!this.asynchronous) return this.downloadSync(buffer);
    this.readbacks++;
    const step = this.queue.then(() => {
      if (buffer.failure) throw buffer.failure;
      return (buffer.storage as GpuJsHandle).toArray() as Promise<unknown>;
    });
    this.queue = step.catch(() => undefined);
    return flatFloat32(await step, buffer.size);
  }

  /** Synchronous download (GL, webasm, cpu: gpu.js reads those synchronously; not WebGPU). */
  downloadSync(buffer: DeviceBuffer): Float32Array {
    this.checkDevice('readSync');
    if (this.asynchronous) throw new DendriteError('gpu backend (webgpu): readSync is not possible on WebGPU; use read()');
    checkUnpacked(buffer);
    if (buffer.size === 0) return new Float32Array(0);
    this.readbacks++;
    const storage = buffer.storage!;
    if (storage instanceof Float32Array) return storage.slice(0, buffer.size);
    return flatFloat32(storage.toArray(), buffer.size);
  }

  /** Free a buffer's device memory (queued behind pending launches on WebGPU). */
  free(buffer: DeviceBuffer): void {
    if (buffer.disposed) return;
    buffer.disposed = true;
    this.liveBuffers--;
    this.liveBytes -= buffer.bytes;
    const release = (): void => {
      const storage = buffer.storage;
      buffer.storage = null;
      buffer.hostValues = null;
      if (storage && !(storage instanceof Float32Array)) storage.delete();
    };
    if (this.asynchronous) this.queue = this.queue.then(release, release);
    else release();
  }

  stats(): RunnerStats {
    return {
      readbacks: this.readbacks,
      kernelRuns: this.kernelRuns,
      compiles: this.cache.compiles,
      cacheHits: this.cache.hits,
      liveBuffers: this.liveBuffers,
      liveBytes: this.liveBytes,
    };
  }

  /** Settles when every queued WebGPU step has run (immediately elsewhere). */
  async flush(): Promise<void> {
    await this.queue;
  }

  private track(buffer: DeviceBuffer): DeviceBuffer {
    this.liveBuffers++;
    this.liveBytes += buffer.bytes;
    return buffer;
  }

  private checkDevice(what: string): void {
    if (this.lostReason === null) {
      const context = this.gpu.context as LossAwareContext | null | undefined;
      if (context && typeof context.isContextLost === 'function' && context.isContextLost()) {
        this.lostReason = 'the WebGL context was lost';
      }
    }
    if (this.lostReason !== null) {
      throw new DendriteError(`gpu backend (${this.mode}): cannot run ${what}: ${this.lostReason}; create a new backend`);
    }
  }

  private checkSize(size: number, what: string): void {
    if (size > MAX_ELEMENTS) {
      throw new DendriteError(
        `gpu backend (${this.mode}): ${what} needs ${size} elements, more than ${MAX_ELEMENTS} (2^24), ` +
        'the largest tensor whose element indices gpu.js kernels compute exactly in float32; split the tensor',
      );
    }
    if (this.maxTextureSize !== null && size > 0) {
      const [width, height] = closestSquareDimensions(size);
      if (width > this.maxTextureSize || height > this.maxTextureSize) {
        throw new DendriteError(
          `gpu backend (${this.mode}): ${what} needs a ${width}x${height} texture for ${size} elements, ` +
          `larger than this device's MAX_TEXTURE_SIZE ${this.maxTextureSize}; split the tensor`,
        );
      }
    }
  }
}

/** Packed buffers are internal to one backend kernel; reading one is a bug in this package. */
function checkUnpacked(buffer: DeviceBuffer): void {
  if (buffer.packed) throw new DendriteError('gpu backend: internal error: a packed (RGBA strip) buffer was read; it must be unpacked first');
}

/** What the WebGPU result handle carries besides the public surface (gpu.js WebGPUBufferResult). */
interface WebGpuResultFields {
  buffer: unknown;
  context: unknown;
  kernel: unknown;
}

/**
 * A vec4 WebGPU result as `size` plain floats: gpu.js stores an Array(4) result as four
 * consecutive f32 per thread, exactly the row-major layout of the strips it holds, but refuses it
 * as a kernel argument. A second handle on the same (reference-counted) buffer with one component
 * per element is accepted; the vec4 handle is released.
 */
function flatView(result: GpuJsHandle, size: number): GpuJsHandle {
  const { buffer, context, kernel } = result as GpuJsHandle & WebGpuResultFields;
  const Handle = result.constructor as new (settings: Record<string, unknown>) => GpuJsHandle;
  const view = new Handle({ buffer, context, kernel, output: [size], componentCount: 1 });
  result.delete();
  return view;
}

/** gpu.js lays a 1-D output of `length` into a near-square texture; same formula (utils.js). */
export function closestSquareDimensions(length: number): [number, number] {
  const root = Math.sqrt(length);
  let high = Math.ceil(root);
  let low = Math.floor(root);
  while (high * low < length) {
    high--;
    low = Math.ceil(length / high);
  }
  return [low, Math.ceil(length / low)];
}

/** A 2-D host result as one flat array: a view when the rows share one buffer (webasm), else a copy. */
function joinRows(rows: readonly Float32Array[], size: number): Float32Array {
  const first = rows[0];
  if (rows.length > 1 && rows[1].buffer === first.buffer && first.buffer.byteLength - first.byteOffset >= size * 4 && rows[1].byteOffset === first.byteOffset + first.byteLength) {
    return new Float32Array(first.buffer, first.byteOffset, size);
  }
  const flat = new Float32Array(size);
  let offset = 0;
  for (const row of rows) {
    flat.set(row, offset);
    offset += row.length;
  }
  return flat;
}

/** gpu.js returns a Float32Array for 1-D outputs; accept nested arrays too, defensively. */
function flatFloat32(values: unknown, size: number): Float32Array {
  if (values instanceof Float32Array) return values.length === size ? values : values.slice(0, size);
  const flat = new Float32Array(size);
  let index = 0;
  const visit = (value: unknown): void => {
    if (typeof value === 'number') {
      if (index < size) flat[index++] = value;
    } else if (value && typeof (value as ArrayLike<unknown>).length === 'number') {
      for (const item of Array.from(value as ArrayLike<unknown>)) visit(item);
    }
  };
  visit(values);
  return flat;
}

/** The identity kernel that moves a host array onto the device. */
const uploadProgram: KernelProgram = {
  key: 'upload',
  source: () => 'function (values) {\nreturn values[this.thread.x];\n}',
};
