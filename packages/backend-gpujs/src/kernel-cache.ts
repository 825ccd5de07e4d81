import type { GpuJsInstance, GpuJsKernel, GpuJsKernelSettings } from './gpujs-types.js';

/** A kernel to run: a cache key and the source it stands for (built only on a cache miss). */
export interface KernelProgram {
  /** Unique per (kernel, shapes, attributes); equal keys must mean equal source. */
  readonly key: string;
  /** The gpu.js kernel function source. */
  source(): string;
  /** Longest loop in the source (gpu.js caps loops at loopMaxIterations). */
  readonly loopMax?: number;
  /**
   * Optional 2-D launch of the same values (row-major), used where the result lands in host
   * memory (webasm, cpu): gpu.js's WebAssembly SIMD path runs neighbouring thread.x lanes together,
   * so a kernel whose inner reads follow thread.x vectorizes far better than one over a flat index.
   */
  readonly grid?: { rows: number; columns: number; source(): string };
  /**
   * The kernel returns four floats per thread (gpu.js `Array(4)`), so it launches outSize / 4
   * threads. GL keeps the result as RGBA texels, which only kernels reading vec4s take; on WebGPU
   * the runner views it as outSize plain floats (see kernels/matmul-strips.ts).
   */
  readonly vectorOutput?: boolean;
}

/**
 * Compiled gpu.js kernels of one backend, keyed by {@link KernelProgram.key}. A training loop
 * that repeats the same shapes compiles each kernel once; nothing is cached on a tensor.
 */
export class KernelCache {
  private readonly kernels = new Map<string, GpuJsKernel>();
  /** Kernels compiled so far (a test asserts a repeated step compiles nothing new). */
  compiles = 0;
  hits = 0;

  constructor(
    private readonly gpu: GpuJsInstance,
    private readonly precision: 'single' | 'unsigned',
  ) {}

  /** The compiled kernel for `program` with a 1-D output of `outSize` elements (2-D with `grid`). */
  get(program: KernelProgram, outSize: number, grid = false): GpuJsKernel {
    const key = `${program.key}|${outSize}${grid ? '|grid' : ''}`;
    const cached = this.kernels.get(key);
    if (cached) {
      this.hits++;
      return cached;
    }
    const settings: GpuJsKernelSettings = {
      output: grid && program.grid ? [program.grid.columns, program.grid.rows] : [program.vectorOutput ? outSize / 4 : outSize],
      pipeline: true,
      // immutable: every call gets its own output, so a result survives the next call of its kernel.
      immutable: true,
      precision: this.precision,
      tactic: 'precision',
      loopMaxIterations: Math.max(1, program.loopMax ?? 1),
      ...(program.vectorOutput ? { returnType: 'Array(4)' } : {}),
    };
    const kernel = this.gpu.createKernel(grid && program.grid ? program.grid.source() : program.source(), settings);
    this.kernels.set(key, kernel);
    this.compiles++;
    return kernel;
  }

  /** Release every compiled kernel (and the output texture each keeps). */
  clear(): void {
    for (const kernel of this.kernels.values()) kernel.destroy?.();
    this.kernels.clear();
  }
}
