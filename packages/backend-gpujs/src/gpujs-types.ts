/**
 * The slice of gpu.js this package touches, typed narrowly. gpu.js's own typings describe its
 * whole (overloaded) surface; these say exactly what the backend relies on.
 */

/** The gpu.js modes this backend can run on. */
export type GpuJsMode = 'webgpu' | 'webgl2' | 'webgl' | 'headlessgl' | 'webasm' | 'cpu';

/** What a pipeline kernel returns: a GL texture, a WebGPU buffer handle, or (cpu/webasm) an array. */
export type KernelResult = GpuJsHandle | Float32Array;

/** A device-resident result (gpu.js `Texture` or `WebGPUBufferResult`). */
export interface GpuJsHandle {
  toArray(): unknown;
  delete(): void;
}

/** A compiled kernel: gpu.js's run shortcut. */
export interface GpuJsKernel {
  (...args: unknown[]): unknown;
  destroy?(removeCanvasReferences?: boolean): void;
}

export interface GpuJsKernelSettings {
  output: number[];
  pipeline: boolean;
  immutable: boolean;
  precision: 'single' | 'unsigned';
  tactic?: 'speed' | 'balanced' | 'precision';
  loopMaxIterations: number;
  returnType?: string;
}

/** The gpu.js `GPU` instance. */
export interface GpuJsInstance {
  createKernel(source: string, settings: GpuJsKernelSettings): GpuJsKernel;
  destroy(): Promise<void>;
  readonly Kernel: { readonly features?: { maxTextureSize?: number } | null };
  readonly context?: unknown;
}

/** The gpu.js module (`GPU` class and its static feature checks). */
export interface GpuJsModule {
  GPU: {
    new (settings: { mode: GpuJsMode }): GpuJsInstance;
    readonly isWebGL2Supported: boolean;
    readonly isWebGLSupported: boolean;
    readonly isHeadlessGLSupported: boolean;
    readonly isWebGPUSupported: boolean;
    readonly isWebAssemblySupported: boolean;
    readonly isSinglePrecisionSupported: boolean;
    isWebGPUAvailable(): Promise<boolean>;
  };
}
